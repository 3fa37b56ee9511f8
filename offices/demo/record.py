"""Turns a planned trail into a Petition (unsaved), its PetitionEvent rows (dicts, for fast_insert) and
the loops' own rows (SLA pauses, a joint consultation, a 12345 delivery), following the conventions
of petitions.services_routing, petitions.hotline and assessment.sla."""
import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.utils import translation

from assessment import sla, workdays
from petitions import workflow
from petitions.models import Petition, PetitionEvent, Rating, Status
from petitions.routing import Reason

from . import replies
from .sectors import SECTOR_CODES

A = PetitionEvent.Action
SYSTEM, CITIZEN, HOTLINE = "system", "citizen", "12345"


@dataclass
class Planned:
    petition: Petition
    events: list = field(default_factory=list)  # dicts of PetitionEvent columns
    pauses: list = field(default_factory=list)  # dicts of SlaPause columns
    consultation: dict | None = None  # JointConsultation columns, plus "departments"
    delivery: dict | None = None  # HotlineDelivery columns
    township_id: int | None = None


def _reason(route) -> str:
    if route.loop == 3:
        return Reason.SEVERAL_DEPARTMENTS
    if route.loop == 1:
        return Reason.OWN_SECTOR
    return Reason.OTHER_SECTOR_HOTLINE if route.hotline else Reason.OTHER_SECTOR_STUDIO


class Recorder:
    def __init__(self, ctx, sla_days: dict, rep_users: dict):
        self.ctx, self.sla, self.rep_users = ctx, sla_days, rep_users
        with translation.override("zh-hans"):  # what the routing worker writes
            self.reason_notes = {r.value: str(r.label) for r in Reason}

    def record(self, rng, draft, route, steps) -> Planned:
        ctx = self.ctx
        t = draft.submitted_at
        days = self.sla[route.loop]
        p = Petition(
            tracking_code=draft.code, studio_id=draft.studio.id, current_studio_id=draft.studio.id,
            category_id=ctx.sector_ids[draft.category] if draft.category else None, region_id=draft.region_id,
            status=Status.SUBMITTED, source=draft.source, text=draft.text, citizen_name=draft.citizen_name,
            citizen_phone=draft.citizen_phone, address=draft.address, latitude=draft.latitude,
            longitude=draft.longitude, submitted_at=t, accept_due_at=workdays.add_workdays(t, days["accept"]))
        out = Planned(p, township_id=draft.township_id)
        late = slow = False
        hold = None  # (stage, started) while on hold
        reason = _reason(route)
        key = uuid.UUID(int=rng.getrandbits(128)).hex

        def event(action, from_status="", to_status="", rep=None, label="", public=None, **fields):
            row = dict(note="", data={}, studio_id=None, department_id=None)
            row.update(fields, action=action, actor_id=self.rep_users.get(rep[0]) if rep else None,
                       actor_label=rep[1] if rep else label, at=t, from_status=from_status, to_status=to_status,
                       loop=p.loop, public=workflow.is_public(action) if public is None else public)
            out.events.append(row)

        event(A.SUBMIT, "", Status.SUBMITTED, label=HOTLINE if draft.source == "hotline" else CITIZEN,
              studio_id=draft.studio.id, public=True)
        for action, delay, details in steps:
            t = t + dt.timedelta(seconds=max(delay, 1.0))
            by = SYSTEM if details.get("auto") else None
            if action == A.ROUTE:
                p.routed_at, p.sector_id = t, ctx.sector_ids[draft.sector]
                department = route.department[0] if route.department else None
                event(A.ROUTE, p.status, p.status, label=SYSTEM, loop=route.loop, studio_id=route.studio.id,
                      department_id=department, note=self.reason_notes[reason],
                      data={"loop": route.loop, "reason": reason, "sector_id": p.sector_id,
                            "studio_id": route.studio.id, "department_id": department,
                            "representative_id": route.handler[0], "hotline": route.hotline})
                continue
            status = p.status
            to = workflow.next_status(action, status, resume_to=p.held_from, rating=details.get("rating", ""))
            p.status = to
            if action == A.ACCEPT:
                p.accepted_at = t
                event(action, status, to, rep=None if by else route.front, label=by or "")
            elif action == A.REJECT:
                p.reject_reason, p.closed_at = rng.choice(replies.REJECT_REASONS), t
                late |= t > p.accept_due_at
                event(action, status, to, rep=route.front, note=p.reject_reason)
            elif action == A.DISPATCH:
                first = p.dispatched_at is None
                p.dispatched_at, p.loop = t, route.loop
                late |= first and t > p.accept_due_at  # accepting and passing on share the accept clock
                if first:
                    p.resolve_due_at = workdays.add_workdays(t, days["resolve"])
                p.current_studio_id, p.current_representative_id = route.studio.id, route.handler[0]
                p.current_department_id = route.department[0] if route.department else None
                event(action, status, to, rep=None if by else route.front, label=by or "", studio_id=route.studio.id,
                      department_id=p.current_department_id, note=self._dispatch_note(route),
                      data={"reason": reason})
            elif action == A.HOTLINE:
                if details.get("sent"):
                    event(action, status, to, label=SYSTEM, note=replies.HOTLINE_SENT,
                          data={"delivery": key, "step": "forwarded"})
                    out.delivery = dict(idempotency_key=key, created_at=t, attempts=1, next_attempt_at=t,
                                        delivered_at=t + dt.timedelta(seconds=2), last_status_code=201,
                                        hotline_ref=f"LC{t:%Y%m%d}{draft.index % 100000:05d}",
                                        hotline_status="received", payload=self._payload(draft, key, ctx))
                else:
                    out.delivery["hotline_status"] = "handling"
                    event(action, status, to, label=HOTLINE, note=replies.HOTLINE_PROGRESS,
                          data={"status": "handling"})
            elif action == A.CONSULT:
                self._consult(rng, out, route, draft, t, details, event, status, to)
            elif action == A.TRANSFER:
                area = route.studio.county or "371500"
                other = rng.choice([s for s in SECTOR_CODES if s != draft.sector])
                route.department = ctx.departments[(area, other)]
                p.current_department_id = route.department[0]
                event(action, status, to, rep=route.handler, studio_id=p.current_studio_id,
                      department_id=route.department[0], note=replies.TRANSFER_NOTE.format(dept=route.department[1]))
            elif action == A.NOTE:
                rep = route.handler if p.dispatched_at else route.front
                event(action, status, to, rep=rep, note=rng.choice(replies.INTERNAL_NOTES))
            elif action == A.HOLD:
                p.hold_reason, p.held_from = rng.choice(replies.HOLD_REASONS), status
                hold = (sla.current_stage(status, resolve_due_at=p.resolve_due_at) or "", t)
                event(action, status, to, rep=route.handler if p.dispatched_at else route.front, note=p.hold_reason)
            elif action == A.RESUME:
                p.hold_reason, p.held_from = "", ""
                self._resume(out, p, hold, t)
                hold = None
                event(action, status, to, label=CITIZEN, note=replies.RESUME_NOTE)
            elif action == A.RESOLVE:
                p.resolved_at, p.answer = t, self._answer(draft, route)
                p.reply_due_at = workdays.add_workdays(t, days["reply"])
                late |= t > p.resolve_due_at
                start = p.dispatched_at
                slow |= t > start + (p.resolve_due_at - start) * days["share"]
                if route.hotline:
                    out.delivery["hotline_status"] = "resolved"
                    event(action, status, to, label=HOTLINE, note=p.answer, data={"status": "resolved"})
                else:
                    event(action, status, to, rep=route.handler, department_id=p.current_department_id,
                          note=p.answer)
            elif action == A.REPLY:
                p.replied_at = t
                late |= t > p.reply_due_at
                event(action, status, to, rep=route.front, note=rng.choice(replies.REPLY_NOTES))
            elif action == A.RATE:
                rating = details["rating"]
                p.rated_at, p.rating = t, rating
                p.rating_comment = rng.choice(replies.RATING_COMMENTS[rating])
                if rating == Rating.DISSATISFIED:
                    p.reopened_count += 1
                    p.resolved_at = p.replied_at = p.reply_due_at = None
                    p.resolve_due_at = workdays.add_workdays(t, days["resolve"])  # a fresh clock
                else:
                    p.closed_at = t
                event(action, status, to, label=CITIZEN, note=p.rating_comment)
            elif action == A.CLOSE:
                p.closed_at, p.rating = t, Rating.NOT_RATED
                event(action, status, to, label=SYSTEM, note=replies.CLOSE_NOTE,
                      data={"reason": "not_rated", "window_days": details["window"]})
        if hold is not None:  # still waiting for the citizen: the clock stands still
            out.pauses.append(dict(stage=hold[0], started_at=hold[1], ended_at=None, working_seconds=0))
        p.updated_at = t
        deadlines = sla.petition_deadlines(p)
        p.due_at = deadlines.due_at
        # Open petitions start blue; the SLA sweep run after seeding colours them as it would live.
        p.flag = "blue" if p.status in sla.CLOCK_STATUSES or p.status == Status.ON_HOLD else (
            "red" if late else ("yellow" if slow else "blue"))
        if out.consultation and p.status in (Status.RESOLVED, Status.REPLIED, Status.CLOSED):
            out.consultation.update(status="closed", closed_at=p.resolved_at or p.closed_at,
                                    outcome=out.consultation["outcome"] or p.answer)
        return out

    def _resume(self, out, p, hold, t) -> None:
        stage, started = hold
        seconds = int(workdays.working_seconds_between(started, t))
        out.pauses.append(dict(stage=stage, started_at=started, ended_at=t, working_seconds=seconds))
        name = {sla.ACCEPT: "accept_due_at", sla.RESOLVE: "resolve_due_at", sla.REPLY: "reply_due_at"}.get(stage)
        if name and getattr(p, name) and seconds:
            setattr(p, name, workdays.add_working_seconds(getattr(p, name), seconds))

    def _consult(self, rng, out, route, draft, t, details, event, status, to) -> None:
        """Convened by the liaison agency of the studio's level; held a few days later."""
        names = "、".join(d[1] for d in route.consulted)
        if details.get("step") == "convened":
            escalated = rng.random() < 0.2
            out.consultation = dict(
                agency_id=self.ctx.agency_ids[route.studio.county or "371500"], reason="several_departments",
                sector_id=self.ctx.sector_ids[draft.sector], township_id=draft.township_id, status="convened",
                created_at=t, minutes="", outcome="", escalated_to="", escalated_at=None, escalation_outcome="",
                meeting_at=None, closed_at=None, departments=[d[0] for d in route.consulted],
                decisions=[(d[0], f"{d[1]}负责落实本部门职责范围内的事项。") for d in route.consulted[:2]],
                escalate=escalated)
            event(action=A.CONSULT, from_status=status, to_status=to, label=SYSTEM,
                  note=f"由{route.agency}召集{names}会商。", data={"step": "convened"})
            return
        c = out.consultation
        note = rng.choice(replies.CONSULT_NOTES).format(agency=route.agency, depts=names, lead=route.consulted[0][1])
        c.update(status="held", meeting_at=t, minutes=note)
        if c.pop("escalate"):
            c.update(status="escalated", escalated_to=rng.choice(["standing_committee", "executive_meeting"]),
                     escalated_at=t + dt.timedelta(hours=2), escalation_outcome="已研究，明确专项资金和牵头部门。")
        event(action=A.CONSULT, from_status=status, to_status=to, label=route.agency, note=note,
              department_id=route.consulted[0][0], data={"step": "held"})

    @staticmethod
    def _payload(draft, key, ctx) -> dict:
        """What petitions.hotline.outbox.payload_for() freezes, from what the draft knows."""
        return {"reference": draft.code, "delivery": key, "submitted_at": draft.submitted_at.isoformat(),
                "text": draft.text, "sector": draft.sector, "category": draft.category or "",
                "address": draft.address, "citizen": {"name": draft.citizen_name, "phone": draft.citizen_phone},
                "studio": {"code": draft.studio.code, "name": draft.studio.name}}

    @staticmethod
    def _dispatch_note(route) -> str:
        if route.hotline:
            return f"涉及{route.hotline_department}职责，本级暂无对应工作室，转12345市民热线办理。"
        return replies.DISPATCH_NOTES[route.loop].format(dept=route.department[1], studio=route.studio.name,
                                                         agency=route.agency)

    @staticmethod
    def _answer(draft, route) -> str:
        return draft.answer.replace("{dept}", route.department[1] if route.department else route.hotline_department)
