from entiflow import entity

RETRYABLE = [500, 503]


class ApiError(Exception):
    code = 500
    retry = True
    tags = ["api"]


class Declined(ApiError):
    code = 402
    retry = False


class Limited(ApiError):
    code = 429

    def __init__(self, wait: int):
        super().__init__(f"wait {wait}s")
        self.wait = wait
        self.code = 430 + wait


@entity
class Gate:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def fail(self, kind: str):
        if kind == "declined":
            raise Declined("card declined")
        if kind == "limited":
            raise Limited(3)
        if kind == "bare":
            raise Declined
        raise ApiError("boom")

    def call(self, other: "Gate", kind: str):
        try:
            other.fail(kind)
        except ApiError as e:
            return [type(e).__name__, e.code, e.retry, e.tags, str(e), e.code in RETRYABLE]
