from entiflow import entity


class AppError(Exception):
    pass


class OutOfStock(ValueError):
    pass


class Backordered(OutOfStock):
    pass


class Missing(LookupError):
    pass


@entity
class Guard:
    def __init__(self, name: str):
        self.name = name
        self.log = []
        self.count = 0

    def __key__(self):
        return self.name

    def hierarchy(self, kind: str) -> str:
        try:
            if kind == "key":
                {}["k"]
            elif kind == "index":
                [][1]
            elif kind == "zero":
                1 // 0
            elif kind == "oos":
                raise OutOfStock("no stock")
            elif kind == "back":
                raise Backordered("later")
            elif kind == "missing":
                raise Missing("gone")
            elif kind == "app":
                raise AppError("app failed")
            elif kind == "type":
                "a" - 1
            return "no error"
        except LookupError as e:
            return f"lookup:{e}"
        except ArithmeticError as e:
            return f"arith:{e}"
        except Backordered as e:
            return f"back:{e}"
        except ValueError as e:
            return f"value:{e}"
        except Exception as e:
            return f"exception:{e!r}"

    def tuple_except(self, kind: str) -> str:
        try:
            if kind == "k":
                raise KeyError("kk")
            if kind == "v":
                raise ValueError("vv")
            if kind == "t":
                raise TypeError("tt")
        except (KeyError, ValueError) as e:
            return "caught " + repr(e)
        return "none"

    def else_finally(self, fail: bool) -> list:
        out = []
        try:
            out.append("try")
            if fail:
                raise RuntimeError("boom")
        except RuntimeError:
            out.append("except")
        else:
            out.append("else")
        finally:
            out.append("finally")
        out.append("after")
        return out

    def finally_return(self, x: int) -> str:
        try:
            if x > 0:
                return "from try"
            raise ValueError("neg")
        except ValueError:
            return "from except"
        finally:
            self.log.append(f"finally {x}")

    def finally_overrides(self) -> str:
        try:
            return "try"
        finally:
            self.count += 1

    def finally_in_loop(self) -> list:
        out = []
        for i in range(5):
            try:
                if i == 1:
                    continue
                if i == 3:
                    break
                out.append(i)
            finally:
                out.append(f"f{i}")
        return out

    def reraise(self, kind: str) -> str:
        try:
            try:
                if kind == "v":
                    raise ValueError("inner")
                return "ok"
            except ValueError:
                self.count += 1
                raise
        except ValueError as e:
            return f"outer saw {e}"

    def reraise_escape(self) -> str:
        try:
            raise OutOfStock("escaping")
        except OutOfStock:
            self.count += 100
            raise

    def raise_in_except(self) -> str:
        try:
            raise ValueError("first")
        except ValueError:
            raise KeyError("second")

    def raise_in_finally(self) -> str:
        try:
            raise ValueError("first")
        finally:
            self.log.append("cleanup")

    def uncaught_user(self, n: int) -> int:
        self.count += n
        if n > 5:
            raise Backordered(f"too many: {n}")
        return self.count

    def exc_args(self) -> list:
        out = []
        try:
            raise AppError("a", 1)
        except AppError as e:
            out.append(str(e))
        try:
            raise AppError()
        except AppError as e:
            out.append(str(e))
        try:
            raise OutOfStock
        except OutOfStock as e:
            out.append(repr(e))
        e2 = ValueError("made")
        out.append(str(e2))
        out.append(isinstance(e2, Exception))
        return out

    def assert_plain(self, x: int) -> int:
        assert x > 0
        return x

    def assert_msg(self, x: int) -> int:
        assert x > 0, f"x must be positive, got {x}"
        return x

    def catch_assert(self, x: int) -> str:
        try:
            assert x != 3, "three"
        except AssertionError as e:
            return f"assert:{e}"
        return "fine"

    def bare_except(self) -> str:
        try:
            [].pop()
        except:
            return "bare caught"
        return "unreachable"

    def nested_finally_order(self) -> list:
        out = []
        try:
            try:
                out.append(1)
                raise KeyError("x")
            finally:
                out.append(2)
        except KeyError:
            out.append(3)
        finally:
            out.append(4)
        return out

    def exception_var_cleared(self) -> str:
        e = "before"
        try:
            raise ValueError("v")
        except ValueError as e:
            pass
        return e
