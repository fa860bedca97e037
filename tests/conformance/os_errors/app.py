"""`OSError` and its subclasses render `(errno, strerror[, filename[, _, filename2]])` as CPython
does, raised here or by another entity, caught or not; `Warning` classes are exceptions too."""
from entiflow import entity


class DiskFull(OSError):
    pass


class QuotaExceeded(DiskFull):
    pass


class Deprecated(DeprecationWarning):
    pass


@entity
class Disk:
    def __init__(self, name: str):
        self.name = name
        self.log = []

    def __key__(self):
        return self.name

    def fail(self, kind: str, n: int):
        if kind == "perm":
            raise PermissionError(13, "denied", "/etc/x"[:n])
        if kind == "disk":
            raise DiskFull(28, f"no space on {self.name}")
        if kind == "quota":
            raise QuotaExceeded(122, "quota", self.name)
        if kind == "os":
            raise OSError(2, "missing", "a.txt", None, "b.txt")
        if kind == "timeout":
            raise TimeoutError("timed out")
        if kind == "conn":
            raise ConnectionResetError(104, "reset by peer")
        if kind == "warn":
            raise Deprecated("old api")
        raise FileNotFoundError(2, "No such file or directory", None)

    def probe(self, other: "Disk", kind: str) -> list:
        try:
            other.fail(kind, 2)
        except ConnectionError as e:
            self.log.append("conn")
            return ["ConnectionError", str(e), repr(e), list(e.args)]
        except OSError as e:
            self.log.append(type(e).__name__)
            return ["OSError", type(e).__name__, str(e), repr(e)]
        except Warning as e:
            return ["Warning", str(e)]
        return []

    def strings(self) -> list:
        out = []
        for e in [
            OSError(),
            OSError("one"),
            OSError(5, "io"),
            OSError(5, "io", None),
            OSError(5, "io", "f.txt"),
            OSError(5, "io", "f.txt", None),
            OSError(5, "io", "f.txt", None, "g.txt"),
            OSError(1, 2, 3, 4, 5, 6),
            PermissionError("x", None),
            UserWarning("careful"),
            EOFError(),
            UnicodeError("bad"),
        ]:
            out.append(str(e))
        return out
