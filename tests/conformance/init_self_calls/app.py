from entiflow import entity


class InvalidEmail(ValueError):
    pass


@entity
class User:
    def __init__(self, email: str, name: str = ""):
        self.email = self._normalize(email)
        self.name = name or self._default_name()
        self.logins = 0

    def __key__(self):
        return self._key_of(self.email)

    def _normalize(self, email: str) -> str:
        email = email.strip().lower()
        if "@" not in email:
            raise InvalidEmail(f"not an email: {email!r}")
        return email

    def _default_name(self) -> str:
        return self.email.split("@")[0].title()

    def _key_of(self, email: str) -> str:
        return email.replace(".", "_")

    def _careful(self) -> str:
        try:
            return self._normalize("nope")
        except InvalidEmail as e:
            return str(e)

    def login(self) -> list:
        self.logins += 1
        return [self.email, self.name, self.logins, self._careful()]
