from entiflow import entity


@entity
class Calls:
    def __init__(self, k: str):
        self.k = k

    def __key__(self):
        return self.k

    def c0(self, a, b, c, d):
        return len()

    def c1(self, a, b, c, d):
        return len(a, b)

    def c2(self, a, b, c, d):
        return abs()

    def c3(self, a, b, c, d):
        return abs(a, b)

    def c4(self, a, b, c, d):
        return sorted(a, b)

    def c5(self, a, b, c, d):
        return sum(a, b, c)

    def c6(self, a, b, c, d):
        return range()

    def c7(self, a, b, c, d):
        return range(a, b, c, d)

    def c8(self, a, b, c, d):
        return enumerate()

    def c9(self, a, b, c, d):
        return list(zip())

    def c10(self, a, b, c, d):
        return divmod(a)

    def c11(self, a, b, c, d):
        return round()

    def c12(self, a, b, c, d):
        return min()

    def c13(self, a, b, c, d):
        return max(a)

    def c14(self, a, b, c, d):
        return int(a, b, c)

    def c15(self, a, b, c, d):
        return str(a, b)

    def c16(self, a, b, c, d):
        return bool(a, b)

    def c17(self, a, b, c, d):
        return list(a, b)

    def c18(self, a, b, c, d):
        return dict(a, b)

    def c19(self, a, b, c, d):
        return tuple(a, b)

    def c20(self, a, b, c, d):
        return set(a, b)

    def c21(self, a, b, c, d):
        return float(a, b)

    def c22(self, a, b, c, d):
        return repr()

    def c23(self, a, b, c, d):
        return any()

    def c24(self, a, b, c, d):
        return all(a, b)

    def c25(self, a, b, c, d):
        return reversed()

    def c26(self, a, b, c, d):
        return sorted(a, reverse=True, key=None)

    def c27(self, a, b, c, d):
        return min(a, default=1, key=None)

    def c28(self, a, b, c, d):
        return sum(a, start=5)

    def c29(self, a, b, c, d):
        return list(enumerate(a, start=3))

    def c30(self, a, b, c, d):
        return max(a, b, default=3)

    def c31(self, a, b, c, d):
        return min([], default=None)

    def c32(self, a, b, c, d):
        return sorted(a, bogus=1)

    def c33(self, a, b, c, d):
        return len(x=1)

    def c34(self, a, b, c, d):
        return str(object=5)

    def c35(self, a, b, c, d):
        return int(x='5')

    def c36(self, a, b, c, d):
        return list(zip(a, b, strict=True))

    def c37(self, a, b, c, d):
        return range(a, step=2)

    def c38(self, a, b, c, d):
        return float(x=1)

    def c39(self, a, b, c, d):
        return list(iterable=a)

    def c40(self, a, b, c, d):
        return round(c, ndigits=2)

    def c41(self, a, b, c, d):
        return divmod(a, b, c)

    def c42(self, a, b, c, d):
        return sum()

    def c43(self, a, b, c, d):
        return sum(a, x=1)

    def c44(self, a, b, c, d):
        return sum(start=1)

    def c45(self, a, b, c, d):
        return min(a, x=1)

    def c46(self, a, b, c, d):
        return max(c, d, key=None)

    def c47(self, a, b, c, d):
        return zip(a, x=1)

    def c48(self, a, b, c, d):
        return round(1, 2, 3)

    def c49(self, a, b, c, d):
        return round(x=1)

    def c50(self, a, b, c, d):
        return round(number=2.5)

    def c51(self, a, b, c, d):
        return round(2.567, ndigits=1)

    def c52(self, a, b, c, d):
        return enumerate(a, 2, 3)

    def c53(self, a, b, c, d):
        return list(enumerate(iterable=a, start=2))

    def c54(self, a, b, c, d):
        return enumerate(a, x=1)

    def c55(self, a, b, c, d):
        return str(1, 2, 3, 4)

    def c56(self, a, b, c, d):
        return str(x=1)

    def c57(self, a, b, c, d):
        return str('a', 'utf-8')

    def c58(self, a, b, c, d):
        return str(5, 'utf-8')

    def c59(self, a, b, c, d):
        return str(object='q')

    def c60(self, a, b, c, d):
        return str(encoding='utf-8')

    def c61(self, a, b, c, d):
        return bool(x=1)

    def c62(self, a, b, c, d):
        return tuple(x=1)

    def c63(self, a, b, c, d):
        return set(x=1)

    def c64(self, a, b, c, d):
        return dict(x=1, y=2)

    def c65(self, a, b, c, d):
        return reversed(a, x=1)

    def c66(self, a, b, c, d):
        return divmod(1, 2, x=1)

    def c67(self, a, b, c, d):
        return abs(x=1)

    def c68(self, a, b, c, d):
        return repr(x=1)

    def c69(self, a, b, c, d):
        return any(x=1)

    def c70(self, a, b, c, d):
        return int(base=10)

    def c71(self, a, b, c, d):
        return int('5', base=8)

    def c72(self, a, b, c, d):
        return list(zip([1,2],[3], strict=True))

    def c73(self, a, b, c, d):
        return list(zip([1],[3,4], strict=True))

    def c74(self, a, b, c, d):
        return list(zip([1],[3],[5,6], strict=True))

    def c75(self, a, b, c, d):
        return list(zip([1,2],[3,4],[5], strict=True))

    def c76(self, a, b, c, d):
        return list(zip(strict=True))

    def c77(self, a, b, c, d):
        return sorted([1], key=None, reverse=1)

    def c78(self, a, b, c, d):
        return min(key=None)

    def c79(self, a, b, c, d):
        return min([], key=None)

    def c80(self, a, b, c, d):
        return max([1,2], default=0, key=None)

    def c81(self, a, b, c, d):
        return range(1, 2, x=3)

    def c82(self, a, b, c, d):
        return len([], [])

    def c83(self, a, b, c, d):
        return int(1, x=2)

    def c84(self, a, b, c, d):
        return float(1, x=2)

    def c85(self, a, b, c, d):
        return list([], [])

    def c86(self, a, b, c, d):
        return dict([], x=1)

    def c87(self, a, b, c, d):
        return round(2.5, number=1)

    def c88(self, a, b, c, d):
        return sum(a, 1, start=2)

    def c89(self, a, b, c, d):
        return enumerate(a, start='x')

    def c90(self, a, b, c, d):
        return str(a, encoding=5)

    def c91(self, a, b, c, d):
        return round(2.5, 1, x=1)

    def c92(self, a, b, c, d):
        return enumerate(x=1)

    def c93(self, a, b, c, d):
        return enumerate(a, 1, x=1)

    def c94(self, a, b, c, d):
        return int('5', 2, base=3)

    def c95(self, a, b, c, d):
        return str(1, 'a', 'b', x=1)

    def c96(self, a, b, c, d):
        return round(ndigits=1)

    def c97(self, a, b, c, d):
        return int(x=5, base=2)
