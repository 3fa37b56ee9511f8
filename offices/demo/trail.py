"""How a petition went: the steps from submission to its present state, as the petition's fields and its
trail of events. Every status change goes through petitions.workflow.next_status(), so the trail
only holds transitions the workflow allows."""
from dataclasses import dataclass

from petitions.models import PetitionEvent, Rating, Status

from .places import CITY_CODE
from .sectors import SECTOR_CODES

A = PetitionEvent.Action
MIN, HOUR, DAY = 60, 3600, 86400


@dataclass
class Route:
    """Where the petition goes when it is dispatched."""

    loop: int
    studio: object  # the handling studio
    department: tuple | None  # (id, name); None when 12345 handles it
    handler: tuple  # (rep id, name): works the petition
    front: tuple  # (rep id, name): first contact at the receiving studio
    hotline: bool = False
    hotline_department: str = ""  # whose matter 12345 is asked to handle
    agency: str = ""
    consulted: tuple = ()  # ((id, name), ...) departments in a joint consultation


def route_for(ctx, rng, draft) -> Route:
    """The three closed loops: within the sector, across departments (studio or 12345), consultation."""
    studio = draft.studio
    area = studio.county or CITY_CODE
    front = _member(rng, studio)
    own = ctx.departments[(area, draft.sector)]
    if rng.random() < 0.07:
        others = rng.sample([s for s in SECTOR_CODES if s != draft.sector], rng.randint(1, 2))
        return Route(3, studio, own, studio.lead or front, front, agency=ctx.agencies[area],
                     consulted=(own, *(ctx.departments[(area, s)] for s in others)))
    if draft.sector in studio.covers:
        department = own
        if studio.host_department and draft.sector == studio.sector:
            department = ctx.department_by_id[studio.host_department]
        return Route(1, studio, department, _member(rng, studio), front)
    target = ctx.studio_for(area, draft.sector)
    if target is None:
        return Route(2, studio, None, front, front, hotline=True, hotline_department=own[1])
    return Route(2, target, own, _member(rng, target), front)


def _member(rng, studio) -> tuple:
    if studio.lead and (studio.code == "371526-agri" and rng.random() < 0.4):
        return studio.lead
    return rng.choice(studio.members)


# How many petitions are in each state: most are closed, the open ones are recent.
STATUS_SHARES = ((Status.CLOSED, 84), (Status.REJECTED, 5), (Status.REPLIED, 2.5), (Status.DISPATCHED, 5),
                 (Status.ON_HOLD, 1.2), (Status.RESOLVED, 1.2), (Status.ACCEPTED, 0.6), (Status.SUBMITTED, 0.5))
# States a petition only stays in for a while: their last step is placed shortly before now.
ANCHORED = {Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.ON_HOLD, Status.RESOLVED, Status.REPLIED}


def target_status(rng) -> str:
    return rng.choices([s for s, _ in STATUS_SHARES], [w for _, w in STATUS_SHARES])[0]


def time_since_last_step(rng, status: str, loop: int) -> float:
    """Seconds between an open petition's last step and now: mostly within the deadline, some past it."""
    on_time = rng.random() < 0.85
    if status == Status.SUBMITTED:
        return _u(rng, 2 * MIN, 18 * HOUR) if on_time else _u(rng, 18 * HOUR, 3 * DAY)
    if status == Status.ACCEPTED:
        return _u(rng, 5 * MIN, 10 * HOUR) if on_time else _u(rng, 10 * HOUR, 3 * DAY)
    if status == Status.DISPATCHED:
        days = {1: 5, 2: 10, 3: 20}[loop]
        return _u(rng, HOUR, days * 1.1 * DAY) if on_time else _u(rng, days * 1.4 * DAY, 45 * DAY)
    if status == Status.ON_HOLD:
        return _u(rng, HOUR, 6 * DAY)
    if status == Status.RESOLVED:
        return _u(rng, 10 * MIN, 20 * HOUR) if on_time else _u(rng, 20 * HOUR, 4 * DAY)
    return _u(rng, HOUR, RATING_WINDOW_DAYS * DAY)  # replied: the citizen has 15 days to rate it


def _u(rng, low, high) -> float:
    return rng.uniform(low, high)


RATING_WINDOW_DAYS = 15  # settings.RATING_WINDOW_DAYS: then the petition closes unrated


def plan_steps(rng, status: str, route: Route) -> list:
    """[(action, delay in seconds, details)] after submission and routing.

    Routing accepts and dispatches by itself (settings.ROUTING_AUTO_DISPATCH) seconds after the
    petition arrives; a share was accepted by hand, and petitions still waiting to be accepted or
    dispatched are those routing only suggested for.
    """
    if status == Status.SUBMITTED:
        return []
    auto = status not in (Status.ACCEPTED, Status.REJECTED) and rng.random() < 0.75
    if auto:
        accept, dispatch = _u(rng, 1, 5), _u(rng, 1, 3)
    else:
        accept = _u(rng, 10 * MIN, 8 * HOUR) if rng.random() < 0.88 else (
            _u(rng, 8 * HOUR, DAY) if rng.random() < 0.85 else _u(rng, 1.5 * DAY, 4 * DAY))
        dispatch = _u(rng, 5 * MIN, 4 * HOUR)
    if status == Status.REJECTED:
        if rng.random() < 0.3:
            return [(A.ACCEPT, accept, {}), (A.REJECT, _u(rng, HOUR, DAY), {})]
        return [(A.REJECT, accept, {})]
    steps = [(A.ACCEPT, accept, {"auto": auto})]
    if status == Status.ACCEPTED:
        return steps + ([(A.NOTE, _u(rng, 10 * MIN, 3 * HOUR), {})] if rng.random() < 0.3 else [])
    if status == Status.ON_HOLD and rng.random() < 0.3:
        return steps + [(A.HOLD, _u(rng, 30 * MIN, 6 * HOUR), {})]
    steps.append((A.DISPATCH, dispatch, {"auto": auto}))
    if route.hotline:
        steps.append((A.HOTLINE, _u(rng, 1, 30), {"sent": True}))
    if route.loop == 3:
        steps.append((A.CONSULT, _u(rng, 1, 30), {"step": "convened"}))
        if status != Status.DISPATCHED or rng.random() < 0.5:
            steps.append((A.CONSULT, _u(rng, DAY, 5 * DAY), {"step": "held"}))
    if route.loop != 3 and not route.hotline and rng.random() < 0.06:
        steps.append((A.TRANSFER, _u(rng, 3 * HOUR, 2 * DAY), {}))
    if rng.random() < 0.15:
        steps.append((A.NOTE, _u(rng, HOUR, DAY), {}))
    if route.hotline:
        steps.append((A.HOTLINE, _u(rng, 3 * HOUR, 2 * DAY), {}))
    if status == Status.ON_HOLD:
        return steps + [(A.HOLD, _u(rng, 2 * HOUR, 2 * DAY), {})]
    if status == Status.DISPATCHED:
        if rng.random() < 0.1:  # answered, but the citizen was not satisfied: back to work
            steps += _handled(rng, route) + [(A.RATE, _u(rng, 2 * HOUR, 3 * DAY), {"rating": Rating.DISSATISFIED})]
        return steps
    if rng.random() < 0.07:
        steps += [(A.HOLD, _u(rng, 2 * HOUR, 2 * DAY), {}), (A.RESUME, _u(rng, DAY / 2, 3 * DAY), {})]
    steps += _handled(rng, route)
    if status == Status.RESOLVED:
        return steps[:-1]
    if status == Status.REPLIED:
        return steps
    if rng.random() < 0.06:
        steps += [(A.RATE, _u(rng, 2 * HOUR, 3 * DAY), {"rating": Rating.DISSATISFIED}),
                  (A.RESOLVE, _u(rng, DAY, 5 * DAY), {}), (A.REPLY, _u(rng, 10 * MIN, 6 * HOUR), {})]
    if rng.random() < 0.82:
        rating = Rating.SATISFIED if rng.random() < 0.84 else Rating.BASICALLY_SATISFIED
        steps.append((A.RATE, _u(rng, 2 * HOUR, 4 * DAY), {"rating": rating}))
    else:
        steps.append((A.CLOSE, RATING_WINDOW_DAYS * DAY + _u(rng, 60, 2 * HOUR), {"window": RATING_WINDOW_DAYS}))
    return steps


def _handled(rng, route) -> list:
    """Resolve and reply: how long it took depends on the loop, and a few were late."""
    late = rng.random() < 0.06
    low, high = {1: (0.3, 4), 2: (1, 9), 3: (4, 18)}[route.loop]
    days = _u(rng, high, high * 1.9) if late else _u(rng, low, high)
    reply = _u(rng, 10 * MIN, 20 * HOUR) if rng.random() < 0.95 else _u(rng, DAY, 3 * DAY)
    return [(A.RESOLVE, days * DAY, {}), (A.REPLY, reply, {})]


def fit(steps: list, budget: float) -> list:
    """Squeezes the delays so that the last step still lies in the past."""
    total = sum(delay for _a, delay, _d in steps)
    if total <= budget or total == 0:
        return steps
    factor = budget / total
    return [(action, delay * factor, details) for action, delay, details in steps]
