from .enums import Role


def roles(request) -> dict:
    """The names of the user's roles, for the home page to list them. Display only:
    what a user may see or do is asked of the `rules` permissions in templates too
    (`{% has_perm %}`), never of role names."""
    user = getattr(request, "user", None)
    held = user.roles if user is not None and user.is_authenticated else frozenset()
    return {"role_labels": [role.label for role in Role if role in held]}
