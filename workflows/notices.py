"""Every notice the product sends, and every public announcement it publishes, declared once.

A notice kind names who receives it (`to`: the recipient groups the caller picks the users of), its
dedupe key (a pattern filled from the caller's `key` values and the notice's parameters; one inbox row per
key and user), and its subject and body: English message ids with named parameters, rendered for each
recipient in that recipient's language (workflows/services/deliveries/notify.py). A parameter listed in `labels` holds
an identifier (a list kind, a result) and is shown by its label; one listed in `lines` holds a list of
items, each shown on its own line by that message. A value {"zh": ..., "en": ...} is a name the records hold
in both languages (a measure's, a department's).

An announcement kind (`public` set: the Announcement row's kind) is a public text, always in Chinese.
Pure data: no framework, no database.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from workflows.labels import LISTS, N_, STATUSES

# recipient groups, as `to` names them; the key pattern's {to} is the group the caller is telling
APPLICANT = "applicant"  # the case's applicant and the subject's other confirmed accounts
SUBJECT = "subject"  # the subject's confirmed accounts
ACCEPTING_OFFICE = "accepting_office"
INFORMATION_PROVIDER = "information_provider"
LISTING_DEPARTMENT = "listing_department"
IMPLEMENTING_DEPARTMENT = "implementing_department"
SUPERVISOR = "supervisor"
HEAD = "head"  # the head of supervision by name
ADMINISTRATOR = "administrator"
REPORTER = "reporter"  # the department that reported an abuse
COMPLAINANT = "complainant"  # the person who complained about a public record
OWNERS = (ACCEPTING_OFFICE, APPLICANT, INFORMATION_PROVIDER, LISTING_DEPARTMENT, IMPLEMENTING_DEPARTMENT)

CASE_KEY = "e{event}:{to}"


@dataclass(frozen=True)
class Kind:
    id: str
    subject: str  # message id; an announcement's title
    body: str  # message id
    to: tuple[str, ...] = ()
    key: str = CASE_KEY
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    lines: Mapping[str, str] = field(default_factory=dict)
    public: str = ""  # an announcement: its kind (exit, correction)


# shown by their labels wherever a kind has a parameter of that name
COMMON_LABELS: dict[str, Mapping[str, str]] = {
    "list": LISTS,
    "status": STATUSES,
    "document": {"": N_("none")},
}

OBJECTION_RESULTS = {
    "refuse": N_("not accepted"),
    "confirm": N_("the information was verified as correct and the record stands"),
    "correct": N_("the information was partly wrong and has been corrected"),
    "revoke": N_("the information was wrong and has been revoked"),
    "withdraw": N_("the applicant withdrew the objection"),
}
CORRECTED_MEASURES = {
    "resume": N_("The measures concerned continue as corrected."),
    "stop": N_("The measures concerned have stopped and the entry has left the list."),
}
REPAIR_RESULTS = {
    "refuse": N_("not accepted"),
    "approve": N_("credit repair granted: the subject leaves the blacklist early"),
    "deny": N_("credit repair denied"),
    "withdraw": N_("the applicant withdrew the application"),
}
GREEN_RESULTS = {
    "refuse": N_("not accepted"),
    "refuse_licence": N_("the licence is refused"),
    "publish": N_("the licence is granted and published"),
    "commitment_breached": N_("the materials were not supplied as committed: the application ends"),
    "withdraw": N_("the applicant withdrew the application"),
}
DELIVERY_TARGETS = {
    "platform": N_("platform"),
    "webhook": N_("department webhook"),
    "sms": N_("SMS"),
}
GREEN_TASKS = {
    "file": N_("New conditional-acceptance application to review"),
    "submit_materials": N_("Materials supplied by the applicant to verify"),
    "other": N_("A case waits for you"),
}
# why a red-list entry is removed
REMOVAL_REASONS = {
    "objection_revoked": N_("the listing was found to be wrong on objection"),
    "blacklisted": N_("the subject was put on the blacklist or the key-attention list"),
    "abuse": N_("abuse of red-list incentives was confirmed"),
    "broken_commitment": N_("a written credit commitment was broken"),
    "expired": N_("its validity period ended"),
    "criteria_changed": N_("the criteria changed and it no longer qualifies"),
}
# why a red-list entry is removed, as the public announcement says it: a key-attention listing is never public
# (Q IV(4)), so it shares its words with the other findings that are not public either (a confirmed abuse, a
# broken commitment) and with a blacklisting; no public reason can be told apart from them (Q VI(2), way two)
MISCONDUCT = N_("it was found to have acted dishonestly or otherwise improperly")
PUBLIC_REMOVAL_REASONS = {
    "objection_revoked": REMOVAL_REASONS["objection_revoked"],
    "blacklisted": MISCONDUCT,
    "abuse": MISCONDUCT,
    "broken_commitment": MISCONDUCT,
    "expired": REMOVAL_REASONS["expired"],
    "criteria_changed": REMOVAL_REASONS["criteria_changed"],
}
ABUSE_REPORT_OUTCOMES = {
    "report": N_("received"),
    "confirm_abuse": N_("confirmed: the red-list entry is removed"),
    "dismiss": N_("dismissed"),
}
# how a blacklist entry leaves, in its exit announcement
BLACKLIST_EXITS = {
    "repaired": N_("leaves early after credit repair"),
    "expired": N_("leaves at the end of its publication period"),
    "criteria_changed": N_("leaves because the listing criteria changed and it no longer meets them"),
    "other": N_("leaves under the rules"),
}

MATERIAL_LINE = N_("%(material)s: by %(due)s")

_KINDS = [
    # --- objection (异议处理) ---
    Kind("objection.received", N_("Objection received (case #%(case)s)"),
         N_("Your objection has been filed; the accepting office will review its form."), to=(APPLICANT,)),
    Kind("objection.accepted", N_("Objection accepted (case #%(case)s)"),
         N_("Your objection has been accepted; the joint punishment measures concerned are suspended while it is "
            "verified."), to=(APPLICANT,)),
    Kind("objection.supplement", N_("Please supplement your objection (case #%(case)s)"),
         N_("The accepting office asks you to supplement your materials: %(reason)s"), to=(APPLICANT,)),
    Kind("objection.result", N_("Result of your objection: %(result)s (case #%(case)s)"),
         N_("Result: %(result)s. %(reason)s"), to=(APPLICANT,), labels={"result": OBJECTION_RESULTS}),
    Kind("objection.to_review", N_("New objection to review (case #%(case)s)"),
         N_("Case #%(case)s waits for formal review."), to=(ACCEPTING_OFFICE,)),
    Kind("objection.to_verify", N_("Objection to verify (case #%(case)s)"),
         N_("Case #%(case)s has been accepted: verify the information and reply within the time limit."),
         to=(INFORMATION_PROVIDER,)),
    # --- credit repair (信用修复) ---
    Kind("repair.received", N_("Credit repair application received (case #%(case)s)"),
         N_("Your credit repair application and commitment have been filed; the accepting office will review "
            "their form."), to=(APPLICANT,)),
    Kind("repair.to_review", N_("Credit repair application to review (case #%(case)s)"),
         N_("Case #%(case)s waits for formal review."), to=(ACCEPTING_OFFICE,)),
    Kind("repair.accepted", N_("Credit repair application accepted (case #%(case)s)"),
         N_("Your credit repair application has been accepted and passed to the listing department for its "
            "decision."), to=(APPLICANT,)),
    Kind("repair.to_decide", N_("Credit repair application to decide (case #%(case)s)"),
         N_("Case #%(case)s has been accepted: decide within the time limit whether credit repair is granted."),
         to=(LISTING_DEPARTMENT,)),
    Kind("repair.supplement", N_("Please supplement your credit repair application (case #%(case)s)"),
         N_("The accepting office asks you to supplement your materials: %(reason)s"), to=(APPLICANT,)),
    Kind("repair.result", N_("Result of your credit repair application: %(result)s (case #%(case)s)"),
         N_("Result: %(result)s. %(reason)s"), to=(APPLICANT,), labels={"result": REPAIR_RESULTS}),
    Kind("repair.approved", N_("Result of your credit repair application: %(result)s (case #%(case)s)"),
         N_("Result: %(result)s. The subject is on the key-attention list until %(until)s. %(reason)s"),
         to=(APPLICANT,), labels={"result": REPAIR_RESULTS}),
    # --- conditional acceptance (容缺受理) ---
    Kind("green.received", N_("Conditional-acceptance application received (case #%(case)s)"),
         N_("Your conditional-acceptance application for “%(matter)s” and your credit commitment have been filed; "
            "the licensing department's window will review them."), to=(APPLICANT,)),
    Kind("green.to_handle", N_("%(task)s (case #%(case)s)"), N_("“%(matter)s”, case #%(case)s: %(task)s."),
         to=(IMPLEMENTING_DEPARTMENT,), labels={"task": GREEN_TASKS}),
    Kind("green.notice", N_("Notice of conditional acceptance (case #%(case)s)"),
         N_("Your application for “%(matter)s” has been accepted against your commitment. Supply each material "
            "by its date:\n%(items)s\nIf a material is not supplied in time, the application ends and the broken "
            "commitment is recorded."), to=(APPLICANT,), lines={"items": MATERIAL_LINE}),
    Kind("green.material_rejected", N_("A supplied material was not accepted (case #%(case)s)"),
         N_("The material “%(material)s” was not accepted: %(reason)s\nSubmit it again by %(due)s (returning it "
            "does not stop its deadline)."), to=(APPLICANT,)),
    Kind("green.material_verified", N_("A supplied material was verified (case #%(case)s)"),
         N_("The material “%(material)s” has been verified."), to=(APPLICANT,)),
    Kind("green.extended", N_("The deadline for the materials is extended (case #%(case)s)"),
         N_("Reason for the extension: %(reason)s\nThe new deadlines:\n%(items)s"), to=(APPLICANT,),
         lines={"items": MATERIAL_LINE}),
    Kind("green.complete", N_("All materials are in (case #%(case)s)"),
         N_("Every material you supplied has been verified; the licensing department will now decide."),
         to=(APPLICANT,)),
    Kind("green.to_decide", N_("All materials are in: a licence decision is due (case #%(case)s)"),
         N_("Every material of case #%(case)s has been verified: decide within the promised time."),
         to=(IMPLEMENTING_DEPARTMENT,)),
    Kind("green.granted", N_("Licence granted (case #%(case)s)"),
         N_("The licence you applied for, “%(matter)s”, is granted; licence number: %(licence)s."), to=(APPLICANT,)),
    Kind("green.result", N_("Result of your conditional-acceptance application: %(result)s (case #%(case)s)"),
         N_("Result: %(result)s. %(reason)s"), to=(APPLICANT,), labels={"result": GREEN_RESULTS}),
    Kind("green.breach", N_("Credit commitment not kept (case #%(case)s)"),
         N_("Case #%(case)s (%(matter)s): the materials were not supplied by %(deadline)s: %(items)s. The "
            "application ends and the broken commitment is recorded in the credit file."),
         to=(APPLICANT, SUPERVISOR, IMPLEMENTING_DEPARTMENT)),
    Kind("green.redlist_pending", N_("Red-list entry to remove: credit commitment not kept (entry #%(entry)s)"),
         N_("%(name)s did not supply the materials as committed (case #%(case)s); its red-list entry "
            "#%(entry)s is queued for removal."), to=(LISTING_DEPARTMENT,), key="e{event}:redlist:{entry}"),
    Kind("green.materials_due", N_("The deadline for the materials ends soon (case #%(case)s)"),
         N_("Supply the committed materials by %(due)s; otherwise the broken commitment is recorded."),
         to=(APPLICANT,)),
    # --- red-list removal (红名单退出) ---
    Kind("redlist.removed", N_("Red-list removal notice (case #%(case)s)"),
         N_("Your red-list entry #%(entry)s has left the red list because %(why)s; its incentives are stopped."),
         to=(SUBJECT,), labels={"why": REMOVAL_REASONS}),
    Kind("redlist.removed.contestable", N_("Red-list removal notice (case #%(case)s)"),
         N_("Your red-list entry #%(entry)s has left the red list because %(why)s; its incentives are stopped. "
            "You may object; while your objection is verified, the withdrawal of the incentives is suspended."),
         to=(SUBJECT,), labels={"why": REMOVAL_REASONS}),
    Kind("redlist.objection_accepted", N_("Objection accepted (case #%(case)s)"),
         N_("Your objection to the red-list removal has been accepted; while it is verified, the withdrawal is "
            "suspended and the incentives stay in force."), to=(SUBJECT,)),
    Kind("redlist.abuse_to_decide", N_("Report of red-list abuse to decide (case #%(case)s)"),
         N_("Red-list entry #%(entry)s (%(name)s) is reported for abusing its incentives: decide within the "
            "time limit."), to=(LISTING_DEPARTMENT,)),
    Kind("redlist.abuse_report", N_("Report of red-list abuse %(outcome)s (case #%(case)s)"),
         N_("Your report: %(outcome)s. %(reason)s"), to=(REPORTER,), labels={"outcome": ABUSE_REPORT_OUTCOMES}),
    # --- measures, one notice per measure to its implementing department ---
    Kind("measure.apply", N_("Apply the joint measure: %(measure)s (%(name)s)"),
         N_("The measure “%(measure)s” (%(list)s entry #%(entry)s, %(name)s) applies from today until "
            "%(until)s."), to=(IMPLEMENTING_DEPARTMENT,), key="e{event}:m{measure_id}:apply"),
    Kind("measure.suspend", N_("Suspend the joint measure: %(measure)s (%(name)s)"),
         N_("The measure “%(measure)s” (%(list)s entry #%(entry)s, %(name)s) is suspended from today."),
         to=(IMPLEMENTING_DEPARTMENT,), key="e{event}:m{measure_id}:suspend"),
    Kind("measure.resume", N_("Resume the joint measure: %(measure)s (%(name)s)"),
         N_("The measure “%(measure)s” (%(list)s entry #%(entry)s, %(name)s) applies again from today."),
         to=(IMPLEMENTING_DEPARTMENT,), key="e{event}:m{measure_id}:resume"),
    Kind("measure.stop", N_("Stop the joint measure: %(measure)s (%(name)s)"),
         N_("The measure “%(measure)s” (%(list)s entry #%(entry)s, %(name)s) stops from today."),
         to=(IMPLEMENTING_DEPARTMENT,), key="e{event}:m{measure_id}:stop"),
    Kind("measure.restore", N_("Restore the joint measure: %(measure)s (%(name)s)"),
         N_("The measure “%(measure)s” (%(list)s entry #%(entry)s, %(name)s) is restored from today."),
         to=(IMPLEMENTING_DEPARTMENT,), key="e{event}:m{measure_id}:restore"),
    Kind("incentive.stop", N_("Stop the joint incentive: %(measure)s (%(name)s)"),
         N_("The incentive “%(measure)s” of red-list entry #%(entry)s (%(name)s) has stopped. Reason: %(why)s. "
            "Case #%(case)s."), to=(IMPLEMENTING_DEPARTMENT,), key="e{event}:m{measure_id}:stopped",
         labels={"why": REMOVAL_REASONS}),
    Kind("listing.apply", N_("Apply the joint measures: %(count)s"),
         N_("New list entries: apply the following joint measures:\n%(items)s"), to=(IMPLEMENTING_DEPARTMENT,),
         key="e{event}:d{department_id}:apply",
         lines={"items": N_("- %(measure)s: %(name)s (%(list)s entry #%(entry)s, valid until %(until)s)")}),
    Kind("listing.apply.more", N_("Apply the joint measures: %(count)s"),
         N_("New list entries: apply the following joint measures:\n%(items)s\n… and %(more)s more"),
         to=(IMPLEMENTING_DEPARTMENT,), key="e{event}:d{department_id}:apply",
         lines={"items": N_("- %(measure)s: %(name)s (%(list)s entry #%(entry)s, valid until %(until)s)")}),
    # --- the lists' own events ---
    Kind("key_attention.warning", N_("Key-attention list warning (valid until %(until)s)"),
         N_("%(name)s has left the blacklist and is on the key-attention list until %(until)s. A severe "
            "violation during that time puts it back on the blacklist."), to=(SUBJECT,),
         key="e{event}:key_attention_warning"),
    Kind("key_attention.expired", N_("Key-attention validity ended"),
         N_("Your key-attention entry #%(entry)s expired on %(until)s and has left the key-attention list."),
         to=(SUBJECT,), key="e{event}:key_attention_exit"),
    Kind("blacklisted", N_("Notice of listing as a target of joint punishment"),
         N_("Because of a severe violation during the key-attention period (%(basis)s), you are on the blacklist "
            "until %(until)s."), to=(SUBJECT,), key="e{event}:blacklisted"),
    # --- deadlines (期限) and urging (督办) ---
    Kind("deadline.warning", N_("A time limit ends soon (case #%(case)s)"),
         N_("The time limit of case #%(case)s ends on %(due)s: please act in time."), to=OWNERS),
    Kind("deadline.breached", N_("Case overdue (case #%(case)s)"),
         N_("Case #%(case)s passed its time limit (%(due)s): it is overdue and reported for supervision."),
         to=OWNERS),
    Kind("deadline.breached.supervise", N_("Overdue case to supervise (case #%(case)s)"),
         N_("Case #%(case)s passed its time limit (%(due)s): it is overdue and reported for supervision."),
         to=(SUPERVISOR,)),
    Kind("deadline.escalated", N_("Overdue case escalated again (case #%(case)s)"),
         N_("Case #%(case)s, due on %(due)s, is still open after the set number of days: escalated to the head "
            "of supervision."), to=(HEAD, SUPERVISOR)),
    Kind("deadline.escalated.owners", N_("Overdue case escalated for supervision (case #%(case)s)"),
         N_("Case #%(case)s, due on %(due)s, is still open after the set number of days: escalated to the head "
            "of supervision."), to=OWNERS),
    Kind("urging.sent", N_("Urging: act and reply by %(due)s (case #%(case)s)"),
         N_("Urged by: %(by)s\nWhat to do: %(message)s\nReply by: %(due)s"), to=(IMPLEMENTING_DEPARTMENT,),
         key="e{event}:urged"),
    Kind("urging.replied", N_("Reply to your urging: %(department)s (case #%(case)s)"),
         N_("%(by)s: %(reply)s"), to=(SUPERVISOR,), key="e{event}:reply"),
    # --- the working-day calendar ---
    Kind("calendar.missing", N_("Import the holiday arrangement of %(year)s"),
         N_("A time limit runs into %(year)s, which has no holiday arrangement yet: it waits uncomputed and is "
            "computed as soon as the year is imported."), to=(ADMINISTRATOR,), key="calendar-missing:{year}"),
    # --- public announcements (公告), always in Chinese ---
    Kind("announce.blacklist_exit", N_("Announcement of an exit from the joint punishment list (%(name)s)"),
         N_("%(name)s (%(department)s, document no. %(document)s) %(how)s the list of targets of joint "
            "punishment for dishonesty; the joint punishment measures concerned have stopped."),
         public="exit", labels={"how": BLACKLIST_EXITS}),
    Kind("announce.blacklist_exit.case", N_("Announcement of an exit from the joint punishment list (%(name)s)"),
         N_("%(name)s (%(department)s, document no. %(document)s) %(how)s the list of targets of joint "
            "punishment for dishonesty; the joint punishment measures concerned have stopped. Case #%(case)s."),
         public="exit", labels={"how": BLACKLIST_EXITS}),
    Kind("announce.corrected", N_("Announcement of a credit information correction (%(name)s)"),
         N_("Verified by the information provider: the information published on %(name)s was partly wrong and "
            "has been corrected. Legal basis: %(basis)s. Document no.: %(document)s. Valid until: %(until)s. "
            "%(measures)s"), public="correction", labels={"measures": CORRECTED_MEASURES}),
    Kind("announce.revoked", N_("Announcement of a credit information revocation (%(name)s)"),
         N_("Verified by the information provider: the %(list)s information published on %(name)s was wrong "
            "and is revoked. This announcement restores its reputation."), public="correction"),
    Kind("announce.redlist_deleted", N_("Announcement of a credit information revocation (%(name)s)"),
         N_("Verified: the red-list information published on %(name)s was wrong and is deleted."),
         public="correction"),
    Kind("announce.redlist_exit", N_("Announcement of a red-list exit (%(name)s)"),
         N_("Because %(why)s, %(name)s leaves the red list from today and its incentives stop."),
         public="exit", labels={"why": PUBLIC_REMOVAL_REASONS}),
    Kind("announce.redlist_restored", N_("Announcement of a red-list restoration (%(name)s)"),
         N_("Verified on objection: the decision to remove %(name)s from the red list was wrong; its red-list "
            "standing and incentives are restored."), public="correction"),
    # --- accounts ---
    Kind("account.failed_logins", N_("Failed log-ins on your account"),
         N_("Someone at %(client)s tried %(failures)s wrong passwords on your account %(username)s. If it was not "
            "you, change your password. Your account is not locked."),
         to=("owner",), key="failed-logins:{client}:{hour}"),
    # --- what is owed outside ---
    Kind("delivery.failing", N_("A delivery keeps failing: %(destination)s"),
         N_("The %(target)s delivery #%(id)s to %(destination)s has failed since %(since)s (%(attempts)s attempts; "
            "last error: %(error)s). It is retried with growing delays until %(until)s; the deliveries page shows "
            "its attempts and redelivers it by hand."),
         to=(ADMINISTRATOR,), key="delivery-failing:{target}:{id}", labels={"target": DELIVERY_TARGETS}),
    # --- objection against a record in the credit file (a broken commitment) ---
    Kind("objection.accepted.record", N_("Objection accepted (case #%(case)s)"),
         N_("Your objection has been accepted; the disputed record does not count against you while it is verified."),
         to=(APPLICANT,)),
    # --- execution feedback (执行反馈): a department urged to confirm the instructions it has carried out ---
    Kind("instruction.urged", N_("Urging: %(count)s instructions on joint measures await your feedback"),
         N_("Urged by: %(by)s\nWhat to do: %(message)s\n%(count)s instructions on joint measures are past the day "
            "their feedback was due: report on the instructions page that each was carried out."),
         to=(IMPLEMENTING_DEPARTMENT,), key="e{event}:urged_instructions"),
]

# who opened a verification the subject did not ask for
VERIFICATION_ORIGINS = {
    "department": N_("a finding of a department concerned"),
    "complaint": N_("a complaint"),
    "applicant": N_("your objection"),
}

_KINDS += [
    # --- a verification opened by a department's finding or a complaint (Z VII(3), Q V(6)) ---
    Kind("complaint.received", N_("Complaint received (case #%(case)s)"),
         N_("Your complaint about a credit record has been filed; the accepting office will review it. You will be "
            "told its outcome."), to=(COMPLAINANT,)),
    Kind("complaint.accepted", N_("Complaint accepted (case #%(case)s)"),
         N_("Your complaint has been accepted: the department that supplied the information verifies it within the "
            "time limit; the measures attached to the record are not executed meanwhile."), to=(COMPLAINANT,)),
    Kind("complaint.supplement", N_("Please supplement your complaint (case #%(case)s)"),
         N_("The accepting office asks you to supplement your complaint: %(reason)s"), to=(COMPLAINANT,)),
    Kind("complaint.result", N_("Outcome of your complaint: %(result)s (case #%(case)s)"),
         N_("Outcome of your complaint: %(result)s."), to=(COMPLAINANT,), labels={"result": OBJECTION_RESULTS}),
    Kind("verification.opened", N_("Your credit record is being verified (case #%(case)s)"),
         N_("Following %(origin)s, the department that supplied the information verifies your credit record. While "
            "it is verified, the record does not count against you and the measures attached to it are not "
            "executed. You will be told the result."), to=(SUBJECT,), labels={"origin": VERIFICATION_ORIGINS}),
    Kind("verification.result", N_("Result of the verification of your credit record: %(result)s (case #%(case)s)"),
         N_("Result: %(result)s. %(reason)s"), to=(SUBJECT,), labels={"result": OBJECTION_RESULTS}),
]

KINDS: dict[str, Kind] = {kind.id: kind for kind in _KINDS}
assert len(KINDS) == len(_KINDS), "a notice kind is declared twice"


def kind(kind_id: str) -> Kind:
    return KINDS[kind_id]


def labels_of(spec: Kind) -> dict[str, Mapping[str, str]]:
    """The label tables of a kind's parameters, the common ones included."""
    return {**COMMON_LABELS, **spec.labels}
