from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class SwedishUnlessChosenMiddleware:
    """The portal speaks Swedish unless the user picks English with the language switch
    (a cookie). A browser's Accept-Language is not asked: many of the region's desk PCs
    run an English Windows for Swedish-speaking staff."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
