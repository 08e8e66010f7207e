"""One decorator for every view that needs a login and a permission.

Anonymous users are sent to the login page; a logged-in user without the permission
gets 403. Objects a user may not even know about are fetched with the
`_get_<obj>_for_user` helpers of each views module, which raise 404 instead.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def permission_required(perm: str | None = None):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if perm is not None and not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


login_required = permission_required(None)
