"""The representatives' and staff's workspace: the queue and the petition page. Thin: parse, check
access through liaison.access, call petitions.dashboard.actions, render."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from liaison import access
from petitions.errors import MissingDetail, PetitionError, TransitionNotAllowed
from liaison.services_audit import personal_data_access_record
from petitions.masking import mask_name, mask_phone
from petitions.models import PetitionEvent

from . import selectors
from .actions import ActionNotPermitted, StalePage, petition_act, petition_version
from .filters import QueueFilter, queue_filter_data
from .forms import FORMS

A = PetitionEvent.Action
PAGE_SIZE = 50

# The verb on each action's button; the trail uses the event's own label.
BUTTONS = {
    A.ACCEPT: gettext_lazy("Accept"), A.REJECT: gettext_lazy("Do not accept"), A.DISPATCH: gettext_lazy("Dispatch"),
    A.TRANSFER: gettext_lazy("Transfer to another studio"), A.CONSULT: gettext_lazy("Request a joint consultation"),
    A.HOLD: gettext_lazy("Wait for the citizen"), A.RESUME: gettext_lazy("Resume"),
    A.RESOLVE: gettext_lazy("Resolve"), A.REPLY: gettext_lazy("Answer the citizen"),
    A.NOTE: gettext_lazy("Add an internal note"),
}
# Actions that need nothing but a click (their optional note stays folded away).
ONE_CLICK = {A.ACCEPT, A.RESUME}


def _row(petition, actor):
    """What one queue row shows; the citizen's contact is masked unless the user handles it."""
    unmasked = actor.superuser or access.is_first_contact(actor, petition) or access.is_handler(actor, petition)
    return {
        "p": petition,
        "citizen_name": petition.citizen_name if unmasked else mask_name(petition.citizen_name),
        "citizen_phone": petition.citizen_phone if unmasked else mask_phone(petition.citizen_phone),
    }


@login_required
def queue(request):
    actor = access.actor_for(request.user)
    filterset = QueueFilter(queue_filter_data(request.GET), queryset=selectors.petition_queue(user=request.user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "filter": filterset, "page": page, "rows": [_row(p, actor) for p in page.object_list],
        "querystring": params.urlencode(), "has_role": actor.has_role, "scope": selectors.queue_scope(actor),
        "is_rep": bool(actor.representative_id), "manages_studio": bool(actor.admin_studio_ids or actor.superuser),
    }
    template = "dashboard/_queue_results.html" if request.htmx and request.htmx.target == "queue-results" \
        else "dashboard/queue.html"
    return render(request, template, context)


def _petition_or_404(request, tracking_code):
    petition = selectors.petition_for_dashboard(user=request.user, tracking_code=tracking_code)
    if petition is None:
        raise Http404(_("No petition with this tracking code in your queue."))
    return petition


def _forms_for(request, petition, actions, suggestion, bound=None):
    may_override = access.may_override_routing(request.user)
    initial = {"expected_status": petition.status, "version": petition_version(petition)}
    items = []
    for action in actions:
        if bound is not None and bound.action == action:
            form = bound
        else:
            form = FORMS[action](initial={**initial, "note": petition.answer} if action == A.REPLY else initial,
                                 petition=petition, suggestion=suggestion, may_override=may_override, prefix=action)
        items.append({"action": action, "label": BUTTONS[action], "form": form, "one_click": action in ONE_CLICK,
                      "open": bound is not None and bound.action == action})
    return items


def _context(request, petition, bound=None, notice=None):
    actions = access.available_actions(request.user, petition)
    suggestion = selectors.routing_suggestion(petition)
    unmasked = access.sees_citizen_contact(request.user, petition)
    return {
        "is_rep": bool(access.actor_for(request.user).representative_id),
        "manages_studio": bool(access.actor_for(request.user).admin_studio_ids or request.user.is_superuser),
        "petition": petition,
        "events": list(petition.events.all()),
        "photos": list(petition.photos.all()),
        "actions": actions,
        "action_forms": _forms_for(request, petition, actions, suggestion, bound),
        "suggestion": suggestion,
        "citizen_name": petition.citizen_name if unmasked else mask_name(petition.citizen_name),
        "citizen_phone": petition.citizen_phone if unmasked else mask_phone(petition.citizen_phone),
        "unmasked": unmasked,
        "notice": notice,
    }


@login_required
def petition_detail(request, tracking_code):
    petition = _petition_or_404(request, tracking_code)
    context = _context(request, petition)
    if context["unmasked"]:  # the audit log of who read a citizen's contact (liaison.PersonalDataAccess)
        personal_data_access_record(user=request.user, petition_id=petition.pk, where="dashboard", path=request.path)
    return render(request, "dashboard/petition.html", context)


def _live(request, tracking_code, *, status=200, bound=None, notice=None):
    """The part of the petition page an action changes (status, actions, trail), freshly read."""
    petition = _petition_or_404(request, tracking_code)
    return render(request, "dashboard/_live.html", _context(request, petition, bound, notice), status=status)


@login_required
@require_POST
def petition_action(request, tracking_code, action):
    petition = _petition_or_404(request, tracking_code)  # 404 before anything else: never confirm existence
    if action not in FORMS:
        raise Http404(_("No such action."))
    page_url = reverse("dashboard:petition", args=[petition.tracking_code])
    suggestion = selectors.routing_suggestion(petition)
    form = FORMS[action](request.POST, petition=petition, suggestion=suggestion,
                         may_override=access.may_override_routing(request.user), prefix=action)
    form.action = action
    if action not in access.permitted_actions(request.user, petition):
        return _refuse(request, tracking_code, page_url, str(ActionNotPermitted().message), status=403)
    if not form.is_valid():
        if {"expected_status", "version"} & set(form.errors):
            return _refuse(request, tracking_code, page_url, str(StalePage(petition.status).message), status=409)
        return _invalid(request, petition, form, tracking_code)
    try:
        petition_act(user=request.user, petition_id=petition.pk, action=action,
                     expected_status=form.cleaned_data["expected_status"], version=form.cleaned_data["version"],
                     details=form.details())
    except (StalePage, TransitionNotAllowed) as exc:
        message = exc.message if isinstance(exc, StalePage) else StalePage(exc.status).message
        return _refuse(request, tracking_code, page_url, str(message), status=409)
    except ActionNotPermitted as exc:
        return _refuse(request, tracking_code, page_url, str(exc.message), status=403)
    except MissingDetail as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _invalid(request, petition, form, tracking_code)
    except PetitionError as exc:
        return _refuse(request, tracking_code, page_url, str(exc.message), status=422)
    done = _("Done: %(action)s.") % {"action": A(action).label}
    if request.htmx:
        return _live(request, tracking_code, notice={"level": "success", "text": done})
    messages.success(request, done)
    return redirect(page_url)


def _refuse(request, tracking_code, page_url, message, *, status):
    if request.htmx:
        return _live(request, tracking_code, status=status, notice={"level": "error", "text": message})
    messages.error(request, message)
    return redirect(page_url)


def _invalid(request, petition, form, tracking_code):
    """Bad input: the same form again with its errors, nothing changed."""
    if request.htmx:
        return _live(request, tracking_code, status=422, bound=form)
    context = _context(request, petition, bound=form)
    return render(request, "dashboard/petition.html", context, status=422)
