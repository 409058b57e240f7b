from .permissions import employee_of, is_contact_person, is_station_operator


def roles(request):
    """Which parts of the navigation the logged-in user has."""
    user = request.user
    return {
        "nav_employee": employee_of(user) is not None,
        "nav_contact_person": is_contact_person(user),
        "nav_operator": is_station_operator(user),
    }
