from .enums import Role


def roles(request) -> dict:
    """The user's role codes and the Role enum, for menus and the home page."""
    user = getattr(request, "user", None)
    return {
        "user_roles": user.roles if user is not None and user.is_authenticated else frozenset(),
        "Role": Role,
    }
