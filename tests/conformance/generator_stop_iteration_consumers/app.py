from entiflow import entity


class Halt(BaseException):
    pass


@entity
class B:
    def __init__(self, name: str):
        self.name = name
        self.n = 0

    def __key__(self):
        return self.name

    def stop(self, x: int) -> int:
        self.n += 1
        if x == 1:
            raise StopIteration(x)
        return x

    def halt(self) -> None:
        self.n += 1
        raise Halt("h")

    def sysexit(self) -> None:
        raise Halt(3)

    def kbi(self) -> None:
        raise Halt()

    def local_stop(self) -> int:
        return next(iter([]))


@entity
class A:
    def __init__(self, name: str, b: B):
        self.name = name
        self.b = b
        self.n = 0

    def __key__(self):
        return self.name

    def s1(self) -> str:
        try:
            return str(sum(self.b.stop(x) for x in range(3)))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def s2(self) -> str:
        try:
            return str(any(self.b.stop(x) > 5 for x in range(3)))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def s3(self) -> str:
        try:
            return str([self.b.stop(x) for x in range(3)])
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def s4(self) -> str:
        try:
            return str(list(self.b.stop(x) for x in range(3)))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def s5(self) -> str:
        try:
            return str(next(self.b.stop(x) for x in range(3) if x > 0))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def s6(self) -> str:
        try:
            return ",".join(str(self.b.stop(x)) for x in range(3))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def s7(self) -> str:
        try:
            return str(max(self.b.stop(x) for x in range(3)))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def s8(self) -> str:
        try:
            return str(sorted(self.b.local_stop() for x in range(3)))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def s9(self) -> str:
        try:
            return str(sum(next(iter([])) for x in range(3)))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def s10(self) -> str:
        try:
            return str(set(self.b.stop(x) for x in range(3)))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def s11(self) -> str:
        try:
            return str(dict((x, self.b.stop(x)) for x in range(3)))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def s12(self) -> str:
        try:
            return str(all(self.b.stop(x) < 5 for x in range(3)))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def s13(self) -> str:
        try:
            return str(tuple(self.b.stop(x) for x in range(3)))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def s14(self) -> str:
        try:
            return str(min((self.b.stop(x) for x in range(3)), default=7))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def h1(self) -> str:
        try:
            self.b.halt()
        except Exception as e:
            return "Exception " + repr(e)
        except BaseException as e:
            return "Base " + repr(e) + " " + str(isinstance(e, Exception))
        return "?"

    def h2(self) -> str:
        self.n += 1
        try:
            self.b.halt()
        except Exception as e:
            return "Exception " + repr(e)
        return "?"

    def h3(self) -> str:
        try:
            self.b.sysexit()
        except BaseException as e:
            return repr(e) + str(e.args)
        return "?"

    def h4(self) -> None:
        self.b.sysexit()

    def h5(self) -> None:
        self.b.kbi()

    def h6(self) -> str:
        try:
            self.b.halt()
        except:
            return "bare caught"
        return "?"

    def h7(self) -> str:
        try:
            self.b.kbi()
        except Exception:
            return "exc"
        except BaseException as e:
            return "base " + type(e).__name__ + repr(e)
        return "?"
