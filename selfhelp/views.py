"""The guides, open to everyone: someone whose PIN is blocked often cannot log in."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from . import services
from .forms import FeedbackForm
from .guides import SUMMARIES, Guide, guide_template


def index(request: HttpRequest) -> HttpResponse:
    guides = [{"guide": guide, "summary": SUMMARIES[guide]} for guide in Guide]
    return render(request, "selfhelp/index.html", {"guides": guides})


def _guide_or_404(slug: str) -> Guide:
    if slug not in Guide.values:
        raise Http404
    return Guide(slug)


def _page(request: HttpRequest, guide: Guide, form: FeedbackForm | None) -> HttpResponse:
    context = {
        "guide": guide,
        "text": guide_template(guide, get_language()),  # {% include %} takes the first that exists
        "form": form,  # None: the feedback is given, and the page thanks for it
        "other_guides": [other for other in Guide if other != guide],
    }
    return render(request, "selfhelp/guide.html", context)


def guide(request: HttpRequest, slug: str) -> HttpResponse:
    """A guide, its read counted; a POST is its feedback form."""
    guide = _guide_or_404(slug)
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            services.give_feedback(user=request.user, guide=guide, **form.cleaned_data)
            return redirect("selfhelp:thanks", guide.value)
        return _page(request, guide, form)  # the answer and the text kept, with what is wrong
    if request.method == "GET":
        services.record_read(user=request.user, guide=guide)
    return _page(request, guide, FeedbackForm())


def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    """The guide again, with the thanks where its feedback form was; not a new read."""
    return _page(request, _guide_or_404(slug), None)
