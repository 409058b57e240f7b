from django.utils.functional import SimpleLazyObject

from .permissions import employee_of, is_contact_person, is_station_operator


def roles(request):
    """Which parts of the navigation the logged-in user has. This runs on every page, so
    each answer is looked up only when a template asks for it (and at most once); the
    contact-person answer reuses the förvaltningar the request has already looked up."""
    user = request.user
    return {
        "nav_employee": SimpleLazyObject(lambda: employee_of(user) is not None),
        "nav_contact_person": SimpleLazyObject(lambda: is_contact_person(user)),
        "nav_operator": SimpleLazyObject(lambda: is_station_operator(user)),
    }
