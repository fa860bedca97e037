from entiflow import entity


@entity
class Calls:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def _mk(self, v):
        if isinstance(v, list) and len(v) > 0 and v[0] == "$t":
            return tuple(v[1:])
        if isinstance(v, list) and len(v) > 0 and v[0] == "$s":
            return set(v[1:])
        return v

    def _out(self, v):
        if isinstance(v, set):
            return ["set", sorted([repr(x) for x in v])]
        return v

    def _upper(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.upper(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.upper(sep=k["sep"])
            if "reverse" in k:
                return r.upper(reverse=k["reverse"])
            if "x" in k:
                return r.upper(x=k["x"])
            return r.upper(a[0], bogus=1)
        if n == 0:
            return r.upper()
        if n == 1:
            return r.upper(self._mk(a[0]))
        if n == 2:
            return r.upper(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.upper(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.upper(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _lower(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.lower(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.lower(sep=k["sep"])
            if "reverse" in k:
                return r.lower(reverse=k["reverse"])
            if "x" in k:
                return r.lower(x=k["x"])
            return r.lower(a[0], bogus=1)
        if n == 0:
            return r.lower()
        if n == 1:
            return r.lower(self._mk(a[0]))
        if n == 2:
            return r.lower(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.lower(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.lower(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _strip(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.strip(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.strip(sep=k["sep"])
            if "reverse" in k:
                return r.strip(reverse=k["reverse"])
            if "x" in k:
                return r.strip(x=k["x"])
            return r.strip(a[0], bogus=1)
        if n == 0:
            return r.strip()
        if n == 1:
            return r.strip(self._mk(a[0]))
        if n == 2:
            return r.strip(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.strip(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.strip(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _lstrip(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.lstrip(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.lstrip(sep=k["sep"])
            if "reverse" in k:
                return r.lstrip(reverse=k["reverse"])
            if "x" in k:
                return r.lstrip(x=k["x"])
            return r.lstrip(a[0], bogus=1)
        if n == 0:
            return r.lstrip()
        if n == 1:
            return r.lstrip(self._mk(a[0]))
        if n == 2:
            return r.lstrip(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.lstrip(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.lstrip(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _rstrip(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.rstrip(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.rstrip(sep=k["sep"])
            if "reverse" in k:
                return r.rstrip(reverse=k["reverse"])
            if "x" in k:
                return r.rstrip(x=k["x"])
            return r.rstrip(a[0], bogus=1)
        if n == 0:
            return r.rstrip()
        if n == 1:
            return r.rstrip(self._mk(a[0]))
        if n == 2:
            return r.rstrip(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.rstrip(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.rstrip(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _split(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.split(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.split(sep=k["sep"])
            if "reverse" in k:
                return r.split(reverse=k["reverse"])
            if "x" in k:
                return r.split(x=k["x"])
            return r.split(a[0], bogus=1)
        if n == 0:
            return r.split()
        if n == 1:
            return r.split(self._mk(a[0]))
        if n == 2:
            return r.split(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.split(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.split(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _join(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.join(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.join(sep=k["sep"])
            if "reverse" in k:
                return r.join(reverse=k["reverse"])
            if "x" in k:
                return r.join(x=k["x"])
            return r.join(a[0], bogus=1)
        if n == 0:
            return r.join()
        if n == 1:
            return r.join(self._mk(a[0]))
        if n == 2:
            return r.join(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.join(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.join(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _replace(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.replace(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.replace(sep=k["sep"])
            if "reverse" in k:
                return r.replace(reverse=k["reverse"])
            if "x" in k:
                return r.replace(x=k["x"])
            return r.replace(a[0], bogus=1)
        if n == 0:
            return r.replace()
        if n == 1:
            return r.replace(self._mk(a[0]))
        if n == 2:
            return r.replace(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.replace(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.replace(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _startswith(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.startswith(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.startswith(sep=k["sep"])
            if "reverse" in k:
                return r.startswith(reverse=k["reverse"])
            if "x" in k:
                return r.startswith(x=k["x"])
            return r.startswith(a[0], bogus=1)
        if n == 0:
            return r.startswith()
        if n == 1:
            return r.startswith(self._mk(a[0]))
        if n == 2:
            return r.startswith(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.startswith(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.startswith(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _endswith(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.endswith(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.endswith(sep=k["sep"])
            if "reverse" in k:
                return r.endswith(reverse=k["reverse"])
            if "x" in k:
                return r.endswith(x=k["x"])
            return r.endswith(a[0], bogus=1)
        if n == 0:
            return r.endswith()
        if n == 1:
            return r.endswith(self._mk(a[0]))
        if n == 2:
            return r.endswith(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.endswith(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.endswith(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _find(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.find(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.find(sep=k["sep"])
            if "reverse" in k:
                return r.find(reverse=k["reverse"])
            if "x" in k:
                return r.find(x=k["x"])
            return r.find(a[0], bogus=1)
        if n == 0:
            return r.find()
        if n == 1:
            return r.find(self._mk(a[0]))
        if n == 2:
            return r.find(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.find(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.find(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _index(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.index(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.index(sep=k["sep"])
            if "reverse" in k:
                return r.index(reverse=k["reverse"])
            if "x" in k:
                return r.index(x=k["x"])
            return r.index(a[0], bogus=1)
        if n == 0:
            return r.index()
        if n == 1:
            return r.index(self._mk(a[0]))
        if n == 2:
            return r.index(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.index(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.index(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _count(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.count(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.count(sep=k["sep"])
            if "reverse" in k:
                return r.count(reverse=k["reverse"])
            if "x" in k:
                return r.count(x=k["x"])
            return r.count(a[0], bogus=1)
        if n == 0:
            return r.count()
        if n == 1:
            return r.count(self._mk(a[0]))
        if n == 2:
            return r.count(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.count(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.count(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _format(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.format(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.format(sep=k["sep"])
            if "reverse" in k:
                return r.format(reverse=k["reverse"])
            if "x" in k:
                return r.format(x=k["x"])
            return r.format(a[0], bogus=1)
        if n == 0:
            return r.format()
        if n == 1:
            return r.format(self._mk(a[0]))
        if n == 2:
            return r.format(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.format(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.format(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _title(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.title(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.title(sep=k["sep"])
            if "reverse" in k:
                return r.title(reverse=k["reverse"])
            if "x" in k:
                return r.title(x=k["x"])
            return r.title(a[0], bogus=1)
        if n == 0:
            return r.title()
        if n == 1:
            return r.title(self._mk(a[0]))
        if n == 2:
            return r.title(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.title(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.title(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _capitalize(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.capitalize(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.capitalize(sep=k["sep"])
            if "reverse" in k:
                return r.capitalize(reverse=k["reverse"])
            if "x" in k:
                return r.capitalize(x=k["x"])
            return r.capitalize(a[0], bogus=1)
        if n == 0:
            return r.capitalize()
        if n == 1:
            return r.capitalize(self._mk(a[0]))
        if n == 2:
            return r.capitalize(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.capitalize(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.capitalize(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _isdigit(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.isdigit(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.isdigit(sep=k["sep"])
            if "reverse" in k:
                return r.isdigit(reverse=k["reverse"])
            if "x" in k:
                return r.isdigit(x=k["x"])
            return r.isdigit(a[0], bogus=1)
        if n == 0:
            return r.isdigit()
        if n == 1:
            return r.isdigit(self._mk(a[0]))
        if n == 2:
            return r.isdigit(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.isdigit(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.isdigit(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _isalpha(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.isalpha(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.isalpha(sep=k["sep"])
            if "reverse" in k:
                return r.isalpha(reverse=k["reverse"])
            if "x" in k:
                return r.isalpha(x=k["x"])
            return r.isalpha(a[0], bogus=1)
        if n == 0:
            return r.isalpha()
        if n == 1:
            return r.isalpha(self._mk(a[0]))
        if n == 2:
            return r.isalpha(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.isalpha(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.isalpha(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _isalnum(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.isalnum(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.isalnum(sep=k["sep"])
            if "reverse" in k:
                return r.isalnum(reverse=k["reverse"])
            if "x" in k:
                return r.isalnum(x=k["x"])
            return r.isalnum(a[0], bogus=1)
        if n == 0:
            return r.isalnum()
        if n == 1:
            return r.isalnum(self._mk(a[0]))
        if n == 2:
            return r.isalnum(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.isalnum(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.isalnum(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _zfill(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.zfill(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.zfill(sep=k["sep"])
            if "reverse" in k:
                return r.zfill(reverse=k["reverse"])
            if "x" in k:
                return r.zfill(x=k["x"])
            return r.zfill(a[0], bogus=1)
        if n == 0:
            return r.zfill()
        if n == 1:
            return r.zfill(self._mk(a[0]))
        if n == 2:
            return r.zfill(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.zfill(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.zfill(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _append(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.append(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.append(sep=k["sep"])
            if "reverse" in k:
                return r.append(reverse=k["reverse"])
            if "x" in k:
                return r.append(x=k["x"])
            return r.append(a[0], bogus=1)
        if n == 0:
            return r.append()
        if n == 1:
            return r.append(self._mk(a[0]))
        if n == 2:
            return r.append(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.append(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.append(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _extend(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.extend(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.extend(sep=k["sep"])
            if "reverse" in k:
                return r.extend(reverse=k["reverse"])
            if "x" in k:
                return r.extend(x=k["x"])
            return r.extend(a[0], bogus=1)
        if n == 0:
            return r.extend()
        if n == 1:
            return r.extend(self._mk(a[0]))
        if n == 2:
            return r.extend(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.extend(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.extend(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _insert(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.insert(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.insert(sep=k["sep"])
            if "reverse" in k:
                return r.insert(reverse=k["reverse"])
            if "x" in k:
                return r.insert(x=k["x"])
            return r.insert(a[0], bogus=1)
        if n == 0:
            return r.insert()
        if n == 1:
            return r.insert(self._mk(a[0]))
        if n == 2:
            return r.insert(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.insert(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.insert(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _pop(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.pop(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.pop(sep=k["sep"])
            if "reverse" in k:
                return r.pop(reverse=k["reverse"])
            if "x" in k:
                return r.pop(x=k["x"])
            return r.pop(a[0], bogus=1)
        if n == 0:
            return r.pop()
        if n == 1:
            return r.pop(self._mk(a[0]))
        if n == 2:
            return r.pop(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.pop(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.pop(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _remove(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.remove(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.remove(sep=k["sep"])
            if "reverse" in k:
                return r.remove(reverse=k["reverse"])
            if "x" in k:
                return r.remove(x=k["x"])
            return r.remove(a[0], bogus=1)
        if n == 0:
            return r.remove()
        if n == 1:
            return r.remove(self._mk(a[0]))
        if n == 2:
            return r.remove(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.remove(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.remove(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _sort(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.sort(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.sort(sep=k["sep"])
            if "reverse" in k:
                return r.sort(reverse=k["reverse"])
            if "x" in k:
                return r.sort(x=k["x"])
            return r.sort(a[0], bogus=1)
        if n == 0:
            return r.sort()
        if n == 1:
            return r.sort(self._mk(a[0]))
        if n == 2:
            return r.sort(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.sort(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.sort(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _reverse(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.reverse(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.reverse(sep=k["sep"])
            if "reverse" in k:
                return r.reverse(reverse=k["reverse"])
            if "x" in k:
                return r.reverse(x=k["x"])
            return r.reverse(a[0], bogus=1)
        if n == 0:
            return r.reverse()
        if n == 1:
            return r.reverse(self._mk(a[0]))
        if n == 2:
            return r.reverse(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.reverse(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.reverse(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _clear(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.clear(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.clear(sep=k["sep"])
            if "reverse" in k:
                return r.clear(reverse=k["reverse"])
            if "x" in k:
                return r.clear(x=k["x"])
            return r.clear(a[0], bogus=1)
        if n == 0:
            return r.clear()
        if n == 1:
            return r.clear(self._mk(a[0]))
        if n == 2:
            return r.clear(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.clear(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.clear(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _copy(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.copy(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.copy(sep=k["sep"])
            if "reverse" in k:
                return r.copy(reverse=k["reverse"])
            if "x" in k:
                return r.copy(x=k["x"])
            return r.copy(a[0], bogus=1)
        if n == 0:
            return r.copy()
        if n == 1:
            return r.copy(self._mk(a[0]))
        if n == 2:
            return r.copy(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.copy(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.copy(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _get(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.get(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.get(sep=k["sep"])
            if "reverse" in k:
                return r.get(reverse=k["reverse"])
            if "x" in k:
                return r.get(x=k["x"])
            return r.get(a[0], bogus=1)
        if n == 0:
            return r.get()
        if n == 1:
            return r.get(self._mk(a[0]))
        if n == 2:
            return r.get(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.get(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.get(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _keys(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return list(r.keys(sep=k["sep"], maxsplit=k["maxsplit"]))
            if "sep" in k:
                return list(r.keys(sep=k["sep"]))
            if "reverse" in k:
                return list(r.keys(reverse=k["reverse"]))
            if "x" in k:
                return list(r.keys(x=k["x"]))
            return list(r.keys(a[0], bogus=1))
        if n == 0:
            return list(r.keys())
        if n == 1:
            return list(r.keys(self._mk(a[0])))
        if n == 2:
            return list(r.keys(self._mk(a[0]), self._mk(a[1])))
        if n == 3:
            return list(r.keys(self._mk(a[0]), self._mk(a[1]), self._mk(a[2])))
        if n == 4:
            return list(r.keys(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3])))
        return None

    def _values(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return list(r.values(sep=k["sep"], maxsplit=k["maxsplit"]))
            if "sep" in k:
                return list(r.values(sep=k["sep"]))
            if "reverse" in k:
                return list(r.values(reverse=k["reverse"]))
            if "x" in k:
                return list(r.values(x=k["x"]))
            return list(r.values(a[0], bogus=1))
        if n == 0:
            return list(r.values())
        if n == 1:
            return list(r.values(self._mk(a[0])))
        if n == 2:
            return list(r.values(self._mk(a[0]), self._mk(a[1])))
        if n == 3:
            return list(r.values(self._mk(a[0]), self._mk(a[1]), self._mk(a[2])))
        if n == 4:
            return list(r.values(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3])))
        return None

    def _items(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return list(r.items(sep=k["sep"], maxsplit=k["maxsplit"]))
            if "sep" in k:
                return list(r.items(sep=k["sep"]))
            if "reverse" in k:
                return list(r.items(reverse=k["reverse"]))
            if "x" in k:
                return list(r.items(x=k["x"]))
            return list(r.items(a[0], bogus=1))
        if n == 0:
            return list(r.items())
        if n == 1:
            return list(r.items(self._mk(a[0])))
        if n == 2:
            return list(r.items(self._mk(a[0]), self._mk(a[1])))
        if n == 3:
            return list(r.items(self._mk(a[0]), self._mk(a[1]), self._mk(a[2])))
        if n == 4:
            return list(r.items(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3])))
        return None

    def _setdefault(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.setdefault(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.setdefault(sep=k["sep"])
            if "reverse" in k:
                return r.setdefault(reverse=k["reverse"])
            if "x" in k:
                return r.setdefault(x=k["x"])
            return r.setdefault(a[0], bogus=1)
        if n == 0:
            return r.setdefault()
        if n == 1:
            return r.setdefault(self._mk(a[0]))
        if n == 2:
            return r.setdefault(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.setdefault(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.setdefault(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _update(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.update(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.update(sep=k["sep"])
            if "reverse" in k:
                return r.update(reverse=k["reverse"])
            if "x" in k:
                return r.update(x=k["x"])
            return r.update(a[0], bogus=1)
        if n == 0:
            return r.update()
        if n == 1:
            return r.update(self._mk(a[0]))
        if n == 2:
            return r.update(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.update(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.update(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _add(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.add(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.add(sep=k["sep"])
            if "reverse" in k:
                return r.add(reverse=k["reverse"])
            if "x" in k:
                return r.add(x=k["x"])
            return r.add(a[0], bogus=1)
        if n == 0:
            return r.add()
        if n == 1:
            return r.add(self._mk(a[0]))
        if n == 2:
            return r.add(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.add(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.add(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _discard(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.discard(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.discard(sep=k["sep"])
            if "reverse" in k:
                return r.discard(reverse=k["reverse"])
            if "x" in k:
                return r.discard(x=k["x"])
            return r.discard(a[0], bogus=1)
        if n == 0:
            return r.discard()
        if n == 1:
            return r.discard(self._mk(a[0]))
        if n == 2:
            return r.discard(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.discard(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.discard(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _union(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.union(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.union(sep=k["sep"])
            if "reverse" in k:
                return r.union(reverse=k["reverse"])
            if "x" in k:
                return r.union(x=k["x"])
            return r.union(a[0], bogus=1)
        if n == 0:
            return r.union()
        if n == 1:
            return r.union(self._mk(a[0]))
        if n == 2:
            return r.union(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.union(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.union(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _intersection(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.intersection(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.intersection(sep=k["sep"])
            if "reverse" in k:
                return r.intersection(reverse=k["reverse"])
            if "x" in k:
                return r.intersection(x=k["x"])
            return r.intersection(a[0], bogus=1)
        if n == 0:
            return r.intersection()
        if n == 1:
            return r.intersection(self._mk(a[0]))
        if n == 2:
            return r.intersection(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.intersection(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.intersection(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def _difference(self, r, a: list, k: dict):
        n = len(a)
        if k:
            if "sep" in k and "maxsplit" in k:
                return r.difference(sep=k["sep"], maxsplit=k["maxsplit"])
            if "sep" in k:
                return r.difference(sep=k["sep"])
            if "reverse" in k:
                return r.difference(reverse=k["reverse"])
            if "x" in k:
                return r.difference(x=k["x"])
            return r.difference(a[0], bogus=1)
        if n == 0:
            return r.difference()
        if n == 1:
            return r.difference(self._mk(a[0]))
        if n == 2:
            return r.difference(self._mk(a[0]), self._mk(a[1]))
        if n == 3:
            return r.difference(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]))
        if n == 4:
            return r.difference(self._mk(a[0]), self._mk(a[1]), self._mk(a[2]), self._mk(a[3]))
        return None

    def call(self, method: str, recv, args: list, kwargs: dict) -> list:
        r = self._mk(recv)
        try:
            if method == "upper":
                res = self._upper(r, args, kwargs)
            elif method == "lower":
                res = self._lower(r, args, kwargs)
            elif method == "strip":
                res = self._strip(r, args, kwargs)
            elif method == "lstrip":
                res = self._lstrip(r, args, kwargs)
            elif method == "rstrip":
                res = self._rstrip(r, args, kwargs)
            elif method == "split":
                res = self._split(r, args, kwargs)
            elif method == "join":
                res = self._join(r, args, kwargs)
            elif method == "replace":
                res = self._replace(r, args, kwargs)
            elif method == "startswith":
                res = self._startswith(r, args, kwargs)
            elif method == "endswith":
                res = self._endswith(r, args, kwargs)
            elif method == "find":
                res = self._find(r, args, kwargs)
            elif method == "index":
                res = self._index(r, args, kwargs)
            elif method == "count":
                res = self._count(r, args, kwargs)
            elif method == "format":
                res = self._format(r, args, kwargs)
            elif method == "title":
                res = self._title(r, args, kwargs)
            elif method == "capitalize":
                res = self._capitalize(r, args, kwargs)
            elif method == "isdigit":
                res = self._isdigit(r, args, kwargs)
            elif method == "isalpha":
                res = self._isalpha(r, args, kwargs)
            elif method == "isalnum":
                res = self._isalnum(r, args, kwargs)
            elif method == "zfill":
                res = self._zfill(r, args, kwargs)
            elif method == "append":
                res = self._append(r, args, kwargs)
            elif method == "extend":
                res = self._extend(r, args, kwargs)
            elif method == "insert":
                res = self._insert(r, args, kwargs)
            elif method == "pop":
                res = self._pop(r, args, kwargs)
            elif method == "remove":
                res = self._remove(r, args, kwargs)
            elif method == "sort":
                res = self._sort(r, args, kwargs)
            elif method == "reverse":
                res = self._reverse(r, args, kwargs)
            elif method == "clear":
                res = self._clear(r, args, kwargs)
            elif method == "copy":
                res = self._copy(r, args, kwargs)
            elif method == "get":
                res = self._get(r, args, kwargs)
            elif method == "keys":
                res = self._keys(r, args, kwargs)
            elif method == "values":
                res = self._values(r, args, kwargs)
            elif method == "items":
                res = self._items(r, args, kwargs)
            elif method == "setdefault":
                res = self._setdefault(r, args, kwargs)
            elif method == "update":
                res = self._update(r, args, kwargs)
            elif method == "add":
                res = self._add(r, args, kwargs)
            elif method == "discard":
                res = self._discard(r, args, kwargs)
            elif method == "union":
                res = self._union(r, args, kwargs)
            elif method == "intersection":
                res = self._intersection(r, args, kwargs)
            elif method == "difference":
                res = self._difference(r, args, kwargs)
            else:
                res = "?"
        except (TypeError, ValueError, KeyError, IndexError, AttributeError) as e:
            return [f"E: {e!r}", self._out(r)]
        return [self._out(res), self._out(r)]
