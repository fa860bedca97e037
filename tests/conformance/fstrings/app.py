from entiflow import entity

WIDTH = 10


@entity
class Report:
    def __init__(self, title: str):
        self.title = title
        self.lines = []

    def __key__(self):
        return self.title

    def money(self, x) -> list:
        return [f"{x:>8.2f}", f"{x:<8.2f}|", f"{x:^9.1f}", f"{x:.0f}", f"{x:+.3f}", f"{x:,.2f}", f"{x:10,.1f}", f"{x:08.2f}"]

    def ints(self, n: int) -> list:
        return [f"{n:,}", f"{n:05d}", f"{n:x}", f"{n:X}", f"{n:#x}", f"{n:o}", f"{n:b}", f"{n:+d}", f"{n: d}", f"{n:>6}", f"{n:<6}|", f"{n:^7}", f"{n:*^9}", f"{n:_}", f"{n:=+8}"]

    def percent(self, p) -> list:
        return [f"{p:.1%}", f"{p:%}", f"{p:.0%}", f"{p:>8.2%}"]

    def conversions(self, s) -> list:
        return [f"{s!r}", f"{s!s}", f"[{s}]", f"{s!r:>12}", f"{s:>{WIDTH}}", f"{s:.3}" if isinstance(s, str) else "-"]

    def exp(self, x) -> list:
        return [f"{x:e}", f"{x:.2e}", f"{x:E}", f"{x:g}", f"{x:.3g}", f"{x:G}", f"{x:10.4g}|", f"{x}"]

    def nested(self, name: str, qty: int, price: float) -> str:
        line = f"{name:<{WIDTH}}{qty:>4} x {price:>7.2f} = {qty * price:>9.2f}"
        self.lines.append(line)
        return line

    def literal_braces(self, x) -> str:
        return f"{{x}} = {x} {{{x}}}"

    def expressions(self, items: list) -> str:
        return f"{len(items)} items, first={items[0] if items else None!r}, sum={sum(items)}, max={max(items, default=0):03d}"

    def bad_spec(self, x) -> str:
        return f"{x:d}"

    def bad_spec2(self, x) -> str:
        return f"{x:.2f}"

    def str_format(self, a, b) -> list:
        return ["{} and {}".format(a, b), "{1}-{0}".format(a, b), "{x}/{y}".format(x=a, y=b), "{0!r:>10}".format(a), "{:.2f}".format(2.0), "{{}}{}".format(a)]

    def percent_op(self, a, b) -> list:
        return ["%s|%r" % (a, b), "%5d|%-5d|" % (3, 4), "%.2f" % 2.345, "%x" % 255, "%s" % [1, 2], "100%% %s" % a]

    def percent_bad(self) -> str:
        return "%d %d" % (1,)

    def ascii_conv(self, s) -> list:
        return [f"{s!a}", "{0!a}".format(s), f"{s!r:^12}", f"{[s]!a}"]

    def self_documenting(self, x, ys: list) -> list:
        total = sum(ys)
        return [f"{x=}", f"{x = }", f"{x=!s}", f"{x=:>8}", f"{total=:.2f}", f"{len(ys)=}", f"{self.title=}", f"{ys[0] * 2=}"]
