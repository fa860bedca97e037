from entiflow import entity


@entity
class P:
    def __init__(self, name: str):
        self.name = name
        self.log = []

    def __key__(self):
        return self.name

    def note(self, s: str) -> int:
        self.log.append(s)
        return len(self.log)

    def boom(self) -> int:
        raise ValueError("boom")

    def exc_then_return(self, other: "P") -> str:
        try:
            try:
                other.boom()
            finally:
                return "inner"
        finally:
            other.note("outer-after-exc")

    def break_then_return(self, other: "P") -> str:
        for i in range(2):
            try:
                try:
                    break
                finally:
                    return "inner"
            finally:
                other.note("outer-after-break")
        return "end"

    def return_then_break(self, other: "P") -> str:
        for i in range(2):
            try:
                try:
                    return "try"
                finally:
                    break
            finally:
                other.note("outer-after-return-break")
        return "end"

    def triple(self, other: "P") -> str:
        try:
            try:
                try:
                    return "a"
                finally:
                    other.note("f1")
            finally:
                return "b"
        finally:
            other.note("f3")

    def values(self) -> str:
        try:
            try:
                return "try"
            finally:
                return "inner-finally"
        finally:
            return "outer-finally"

    def continue_in_finally(self) -> int:
        try:
            for i in range(2):
                try:
                    return i
                finally:
                    continue
        finally:
            self.log.append("outer")
        return 9

    def break_in_finally_nested_loops(self, other: "P") -> list:
        out = []
        for i in range(3):
            try:
                for j in range(3):
                    try:
                        if j == 1:
                            return out
                        out.append((i, j))
                    finally:
                        if j == 1:
                            break
            finally:
                other.note(f"outer {i}")
        return out

    def reraise_in_finally(self, other: "P", fail: bool) -> str:
        try:
            try:
                if fail:
                    other.boom()
                other.note("no failure")
            finally:
                other.note("finally")
                raise
        except ValueError as e:
            return "caught " + str(e)
