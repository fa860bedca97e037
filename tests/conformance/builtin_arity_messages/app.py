"""Wrong numbers of arguments to builtins fail with CPython's TypeError, worded as CPython
words it for each builtin; pow() with three arguments checks their types first."""
from entiflow import entity


@entity
class B:
    def __init__(self, k: str):
        self.k = k

    def __key__(self):
        return self.k

    def ord_0(self):
        try:
            return ord()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def ord_1(self, a0):
        try:
            return ord(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def ord_2(self, a0, a1):
        try:
            return ord(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def ord_3(self, a0, a1, a2):
        try:
            return ord(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def ord_4(self, a0, a1, a2, a3):
        try:
            return ord(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def chr_0(self):
        try:
            return chr()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def chr_1(self, a0):
        try:
            return chr(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def chr_2(self, a0, a1):
        try:
            return chr(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def chr_3(self, a0, a1, a2):
        try:
            return chr(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def chr_4(self, a0, a1, a2, a3):
        try:
            return chr(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def bin_0(self):
        try:
            return bin()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def bin_1(self, a0):
        try:
            return bin(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def bin_2(self, a0, a1):
        try:
            return bin(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def bin_3(self, a0, a1, a2):
        try:
            return bin(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def bin_4(self, a0, a1, a2, a3):
        try:
            return bin(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def oct_0(self):
        try:
            return oct()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def oct_1(self, a0):
        try:
            return oct(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def oct_2(self, a0, a1):
        try:
            return oct(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def oct_3(self, a0, a1, a2):
        try:
            return oct(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def oct_4(self, a0, a1, a2, a3):
        try:
            return oct(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def hex_0(self):
        try:
            return hex()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def hex_1(self, a0):
        try:
            return hex(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def hex_2(self, a0, a1):
        try:
            return hex(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def hex_3(self, a0, a1, a2):
        try:
            return hex(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def hex_4(self, a0, a1, a2, a3):
        try:
            return hex(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def format_0(self):
        try:
            return format()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def format_1(self, a0):
        try:
            return format(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def format_2(self, a0, a1):
        try:
            return format(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def format_3(self, a0, a1, a2):
        try:
            return format(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def format_4(self, a0, a1, a2, a3):
        try:
            return format(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def next_0(self):
        try:
            return next()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def next_1(self, a0):
        try:
            return next(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def next_2(self, a0, a1):
        try:
            return next(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def next_3(self, a0, a1, a2):
        try:
            return next(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def next_4(self, a0, a1, a2, a3):
        try:
            return next(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def getattr_0(self):
        try:
            return getattr()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def getattr_1(self, a0):
        try:
            return getattr(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def getattr_2(self, a0, a1):
        try:
            return getattr(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def getattr_3(self, a0, a1, a2):
        try:
            return getattr(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def getattr_4(self, a0, a1, a2, a3):
        try:
            return getattr(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def hasattr_0(self):
        try:
            return hasattr()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def hasattr_1(self, a0):
        try:
            return hasattr(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def hasattr_2(self, a0, a1):
        try:
            return hasattr(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def hasattr_3(self, a0, a1, a2):
        try:
            return hasattr(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def hasattr_4(self, a0, a1, a2, a3):
        try:
            return hasattr(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def pow_0(self):
        try:
            return pow()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def pow_1(self, a0):
        try:
            return pow(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def pow_2(self, a0, a1):
        try:
            return pow(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def pow_3(self, a0, a1, a2):
        try:
            return pow(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def pow_4(self, a0, a1, a2, a3):
        try:
            return pow(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def len_0(self):
        try:
            return len()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def len_1(self, a0):
        try:
            return len(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def len_2(self, a0, a1):
        try:
            return len(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def len_3(self, a0, a1, a2):
        try:
            return len(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def len_4(self, a0, a1, a2, a3):
        try:
            return len(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def abs_0(self):
        try:
            return abs()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def abs_1(self, a0):
        try:
            return abs(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def abs_2(self, a0, a1):
        try:
            return abs(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def abs_3(self, a0, a1, a2):
        try:
            return abs(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def abs_4(self, a0, a1, a2, a3):
        try:
            return abs(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def divmod_0(self):
        try:
            return divmod()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def divmod_1(self, a0):
        try:
            return divmod(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def divmod_2(self, a0, a1):
        try:
            return divmod(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def divmod_3(self, a0, a1, a2):
        try:
            return divmod(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def divmod_4(self, a0, a1, a2, a3):
        try:
            return divmod(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def repr_0(self):
        try:
            return repr()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def repr_1(self, a0):
        try:
            return repr(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def repr_2(self, a0, a1):
        try:
            return repr(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def repr_3(self, a0, a1, a2):
        try:
            return repr(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def repr_4(self, a0, a1, a2, a3):
        try:
            return repr(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def sum_0(self):
        try:
            return sum()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def sum_1(self, a0):
        try:
            return sum(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def sum_2(self, a0, a1):
        try:
            return sum(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def sum_3(self, a0, a1, a2):
        try:
            return sum(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def sum_4(self, a0, a1, a2, a3):
        try:
            return sum(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def round_0(self):
        try:
            return round()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def round_1(self, a0):
        try:
            return round(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def round_2(self, a0, a1):
        try:
            return round(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def round_3(self, a0, a1, a2):
        try:
            return round(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def round_4(self, a0, a1, a2, a3):
        try:
            return round(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def min_0(self):
        try:
            return min()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def min_1(self, a0):
        try:
            return min(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def min_2(self, a0, a1):
        try:
            return min(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def min_3(self, a0, a1, a2):
        try:
            return min(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def min_4(self, a0, a1, a2, a3):
        try:
            return min(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def max_0(self):
        try:
            return max()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def max_1(self, a0):
        try:
            return max(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def max_2(self, a0, a1):
        try:
            return max(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def max_3(self, a0, a1, a2):
        try:
            return max(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def max_4(self, a0, a1, a2, a3):
        try:
            return max(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def sorted_0(self):
        try:
            return sorted()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def sorted_1(self, a0):
        try:
            return sorted(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def sorted_2(self, a0, a1):
        try:
            return sorted(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def sorted_3(self, a0, a1, a2):
        try:
            return sorted(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def sorted_4(self, a0, a1, a2, a3):
        try:
            return sorted(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def any_0(self):
        try:
            return any()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def any_1(self, a0):
        try:
            return any(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def any_2(self, a0, a1):
        try:
            return any(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def any_3(self, a0, a1, a2):
        try:
            return any(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def any_4(self, a0, a1, a2, a3):
        try:
            return any(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def all_0(self):
        try:
            return all()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def all_1(self, a0):
        try:
            return all(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def all_2(self, a0, a1):
        try:
            return all(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def all_3(self, a0, a1, a2):
        try:
            return all(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def all_4(self, a0, a1, a2, a3):
        try:
            return all(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def str_0(self):
        try:
            return str()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def str_1(self, a0):
        try:
            return str(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def str_2(self, a0, a1):
        try:
            return str(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def str_3(self, a0, a1, a2):
        try:
            return str(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def str_4(self, a0, a1, a2, a3):
        try:
            return str(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def int_0(self):
        try:
            return int()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def int_1(self, a0):
        try:
            return int(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def int_2(self, a0, a1):
        try:
            return int(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def int_3(self, a0, a1, a2):
        try:
            return int(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def int_4(self, a0, a1, a2, a3):
        try:
            return int(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def float_0(self):
        try:
            return float()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def float_1(self, a0):
        try:
            return float(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def float_2(self, a0, a1):
        try:
            return float(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def float_3(self, a0, a1, a2):
        try:
            return float(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def float_4(self, a0, a1, a2, a3):
        try:
            return float(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def bool_0(self):
        try:
            return bool()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def bool_1(self, a0):
        try:
            return bool(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def bool_2(self, a0, a1):
        try:
            return bool(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def bool_3(self, a0, a1, a2):
        try:
            return bool(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def bool_4(self, a0, a1, a2, a3):
        try:
            return bool(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def list_0(self):
        try:
            return list()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def list_1(self, a0):
        try:
            return list(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def list_2(self, a0, a1):
        try:
            return list(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def list_3(self, a0, a1, a2):
        try:
            return list(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def list_4(self, a0, a1, a2, a3):
        try:
            return list(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def dict_0(self):
        try:
            return dict()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def dict_1(self, a0):
        try:
            return dict(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def dict_2(self, a0, a1):
        try:
            return dict(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def dict_3(self, a0, a1, a2):
        try:
            return dict(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def dict_4(self, a0, a1, a2, a3):
        try:
            return dict(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def tuple_0(self):
        try:
            return tuple()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def tuple_1(self, a0):
        try:
            return tuple(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def tuple_2(self, a0, a1):
        try:
            return tuple(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def tuple_3(self, a0, a1, a2):
        try:
            return tuple(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def tuple_4(self, a0, a1, a2, a3):
        try:
            return tuple(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def set_0(self):
        try:
            return set()
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def set_1(self, a0):
        try:
            return set(a0)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def set_2(self, a0, a1):
        try:
            return set(a0, a1)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def set_3(self, a0, a1, a2):
        try:
            return set(a0, a1, a2)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def set_4(self, a0, a1, a2, a3):
        try:
            return set(a0, a1, a2, a3)
        except (TypeError, ValueError, StopIteration) as e:
            return type(e).__name__ + ': ' + str(e)

    def keywords(self, which: int):
        try:
            if which == 0:
                return max(a=1)
            if which == 1:
                return min(key=None)
            if which == 2:
                return max([1], a=1)
            return min(3, 4, default=1)
        except TypeError as e:
            return str(e)

    def modular(self, base, exp, mod):
        try:
            return pow(base, exp, mod)
        except (TypeError, ValueError) as e:
            return type(e).__name__ + ': ' + str(e)

    def pad(self, text: str, fill):
        try:
            return [text.center(5, fill), text.ljust(4, fill), text.rjust(3, fill)]
        except TypeError as e:
            return str(e)

    def sorted_keywords(self, which: int):
        try:
            if which == 0:
                return sorted(iterable=[1])
            if which == 1:
                return sorted([2, 1], foo=1)
            if which == 2:
                return sorted()
            return sorted([3, 1], [2], key=None)
        except TypeError as e:
            return str(e)
