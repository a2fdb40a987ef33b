"""Refusals: the typed answers to bad input, rendered in Spanish in one place.

A handler or service raises a ``Refusal`` and changes nothing (the unit of work rolls
back); ``bot/errors.py`` renders ``templates/refusals/<snake_case_name>.html.j2`` with the
refusal's fields, as a reply or as a button alert. The tree::

    Refusal
    ├── Usage                       wrong syntax for a command
    ├── AccessRefusal
    │   ├── NotAdmin                only BOT_ADMINS may create secretariats
    │   ├── NotAMember              the caller holds no role in any secretariat
    │   ├── NotYourRole             the caller's role may not use this command (R2)
    │   ├── WrongChat               private-only command in a group, or the reverse
    │   └── GroupNotLinked          a member command in a group that is no official channel
    ├── RosterRefusal
    │   ├── UnknownSector           no seat with that key (R1)
    │   ├── SeatTaken               the seat already has a titular / substitute (R1)
    │   ├── SeatExists              /asiento with a key already used
    │   ├── InvalidSeatKey
    │   ├── MissingName
    │   ├── NameTooLong
    │   ├── EntryNotFound
    │   ├── EntryInactive
    │   ├── EntryAlreadyLinked
    │   ├── CannotRemoveFacilitator
    │   ├── SecretariatExists
    │   └── GroupLinkedElsewhere
    ├── InvitationRefusal
    │   ├── TokenUnknown
    │   ├── TokenUsed
    │   ├── TokenExpired
    │   └── AccountAlreadyInSecretariat
    ├── SettingRefusal
    │   ├── UnknownSetting
    │   ├── InvalidSettingValue
    │   ├── InvalidTerm
    │   └── PublicChannelRefusal    canal_publico as Telegram sees it (R18): ChannelNotFound,
    │                               NotAChannel, BotNotInChannel, BotNotChannelAdmin, BotCannotPost
    ├── ButtonRefusal
    │   ├── StaleButton             the button's object is gone, used or closed
    │   ├── NotYourButton           someone else's button
    │   └── AlreadyRecorded         a double press: the same answer was already stored
    ├── ConvocationRefusal
    │   ├── BadDate / BadTime       not AAAA-MM-DD / HH:MM
    │   ├── PastDate
    │   ├── ShortNotice             less than R7's business days of notice
    │   ├── NonBusinessRefused      the secretariat does not sit on non-business days (R8)
    │   ├── MissingPlace / MissingAgenda
    │   └── NoLinkedGroup           convocations need the official channel (seed III.11)
    ├── SessionRefusal
    │   ├── SessionNotFound / NoUpcomingSession
    │   ├── WrongSessionState       e.g. /instalar before /iniciar
    │   └── NotSessionDay           the roll call opens on the session's day only
    ├── CalendarRefusal
    │   ├── DayAlreadyDeclared / DayNotDeclared
    │   └── BadRange
    ├── MinutesRefusal              minutes (R14): nothing is stored
    │   ├── NoHeldSession / AgendaItemNotFound / NoteTooLong
    │   ├── MinutesAlreadySigned    a signed acta takes no notes, versions or signatures
    │   ├── NotAMinutesFile / MinutesFileTooLarge
    │   ├── NoMinutesYet / NotSignedYet
    │   ├── StaleVersion            a button of a version that is no longer current
    │   └── AlreadyCirculated / NotCirculated
    ├── AgreementRefusal            the register of agreements (R16)
    │   ├── AgreementNotFound / AgreementAlreadyRegistered / VoteNotApproved
    │   ├── NotResponsible          only the facilitator and the responsible seat follow up
    │   └── AgreementClosed         cumplido and cancelado are final
    ├── ActionPlanRefusal           the action plan (R16a)
    │   ├── CommitmentNotFound / MilestoneNotFound
    │   ├── BadCommitmentFields / BadWeight / PlanTextTooLong
    │   ├── MilestoneUnchanged / MissingLevelReason / LevelAlreadyAutomatic
    │   └── NotCommitmentResponsible
    ├── ReportMonthAhead            /reporte of a month that has not started
    ├── TermRefusal                 /informe, /entrega (R5): TermNotSet / HandoverTooLarge
    ├── ProposalRefusal             members' proposals (R17)
    │   ├── ProposalTooLong / NotAProposalFile / ProposalFileTooLarge
    │   └── ProposalAlreadyOnAgenda / AgendaFull
    ├── RemovalRefusal              removal requests (R4): nothing is stored
    │   ├── FacilitatorCannotSponsor / ObserverCannotSponsor / ConcernedCannotSponsor
    │   ├── SameSeatSponsor         the second sponsor must be of another seat
    │   ├── NotRemovable            only a seat's titular or substitute is removed
    │   ├── RemovalReasonTooLong
    │   ├── RemovalAlreadyRequested / RemovalAlreadyBacked / RemovalClosed
    │   └── RemovalNotInSession / RemovalVoteAlreadyOpen
    ├── CommuniqueRefusal           /comunicado (R18): CommuniqueTooLong / CommuniqueRepeated
    ├── EvidenceRefusal             /evidencia (R19 a): nothing is stored
    │   ├── NoEvidenceFile / NotAnEvidenceFile / EvidenceFileTooLarge / EvidenceCaptionTooLong
    │   └── EvidenceSessionNotHeld / EvidenceAlreadyAttached
    └── ImportRefusal               /importar: nothing is added (commands.md "Roster in bulk")
        ├── NotASpreadsheet         neither CSV nor XLSX
        ├── FileTooLarge            over the size limit (checked before downloading)
        ├── UnreadableFile          corrupt, binary or undecodable
        ├── MissingColumns          no ``tipo`` / ``sector`` / ``nombre`` header
        ├── NoRows / TooManyRows
        └── BadRows                 every wrong row, with its number and why (R1–R3)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domain.roster_import import RowProblem


class Refusal(Exception):
    """Base of every expected, user-caused failure; never logged as an error."""

    @property
    def template(self) -> str:
        """Template path below ``templates/`` that renders this refusal."""
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", type(self).__name__).lower()
        return f"refusals/{snake}.html.j2"

    def context(self) -> dict[str, object]:
        """Fields handed to the template."""
        return dict(vars(self))


@dataclass(eq=False)
class Usage(Refusal):
    """Wrong syntax: the answer shows the command's valid syntax."""

    command: str


class AccessRefusal(Refusal):
    """The caller may not do this here."""


@dataclass(eq=False)
class NotAdmin(AccessRefusal):
    """Only deployment operators (BOT_ADMINS) create secretariats."""

    command: str = "nuevo_stm"


@dataclass(eq=False)
class NotAMember(AccessRefusal):
    """The caller holds no role in any secretariat (or none in this group's)."""

    command: str


@dataclass(eq=False)
class NotYourRole(AccessRefusal):
    """The caller's role does not allow the command (R2: facilitator convenes, members vote)."""

    command: str
    allowed: list[str]


@dataclass(eq=False)
class WrongChat(AccessRefusal):
    """A private-only command sent in a group, or a group-only one in private."""

    command: str
    where: str


class GroupNotLinked(AccessRefusal):
    """A member command in a group that is not any secretariat's official channel."""


class RosterRefusal(Refusal):
    """A roster change that would break R1–R3."""


@dataclass(eq=False)
class UnknownSector(RosterRefusal):
    """No seat with that key in this secretariat (R1)."""

    sector: str
    valid: list[str]


@dataclass(eq=False)
class SeatTaken(RosterRefusal):
    """The seat already has an active titular (or substitute) (R1: one of each per seat)."""

    seat: str
    role: str
    holder: str


@dataclass(eq=False)
class SeatExists(RosterRefusal):
    """``/asiento`` with a key the secretariat already uses."""

    key: str


@dataclass(eq=False)
class InvalidSeatKey(RosterRefusal):
    """Seat keys are 1–32 of ``a-z 0-9 _`` so they can be typed as command arguments."""

    key: str


@dataclass(eq=False)
class MissingName(RosterRefusal):
    """A roster entry or secretariat needs a name."""

    command: str


@dataclass(eq=False)
class NameTooLong(RosterRefusal):
    """Names are capped so every roster line fits a Telegram message."""

    limit: int


@dataclass(eq=False)
class EntryNotFound(RosterRefusal):
    """No roster entry with that number."""

    number: int


@dataclass(eq=False)
class EntryInactive(RosterRefusal):
    """The roster entry was already deactivated."""

    number: int


@dataclass(eq=False)
class EntryAlreadyLinked(RosterRefusal):
    """A new invitation for an entry whose account is already bound."""

    number: int


@dataclass(eq=False)
class CannotRemoveFacilitator(RosterRefusal):
    """The secretariat must keep a facilitator (seed VI); the facilitator is not removed here."""

    number: int


@dataclass(eq=False)
class SecretariatExists(RosterRefusal):
    """Two secretariats with the same municipality name would be indistinguishable."""

    name: str


@dataclass(eq=False)
class GroupLinkedElsewhere(RosterRefusal):
    """A group can be the official channel of one secretariat only."""

    name: str


class InvitationRefusal(Refusal):
    """An invitation link that cannot bind this account."""


class TokenUnknown(InvitationRefusal):
    """No invitation with that token (mistyped, forged, or replaced by a newer one)."""


class TokenUsed(InvitationRefusal):
    """Invitations are single-use."""


class TokenExpired(InvitationRefusal):
    """Invitations expire (7 days by default)."""


@dataclass(eq=False)
class AccountAlreadyInSecretariat(InvitationRefusal):
    """One Telegram account holds one roster entry per secretariat."""

    name: str


class SettingRefusal(Refusal):
    """A setting change that does not validate."""


@dataclass(eq=False)
class UnknownSetting(SettingRefusal):
    """``/ajustar`` with a key that does not exist."""

    key: str
    valid: list[str] = field(default_factory=list)


@dataclass(eq=False)
class InvalidSettingValue(SettingRefusal):
    """``/ajustar`` with a value outside the key's domain; ``expected`` lists the valid ones."""

    key: str
    value: str
    expected: str


@dataclass(eq=False)
class InvalidTerm(SettingRefusal):
    """The term's start must come before its end (R5)."""

    start: str
    end: str


class ButtonRefusal(Refusal):
    """A pressed button that may not act."""


class StaleButton(ButtonRefusal):
    """The button's choice was already used, expired, or its object is gone."""


class NotYourButton(ButtonRefusal):
    """Buttons act only for the person they were shown to."""


@dataclass(eq=False)
class AlreadyRecorded(ButtonRefusal):
    """A double press: the same answer was already stored, nothing changes."""

    answer: str


class ConvocationRefusal(Refusal):
    """A convocation that cannot be sent as written."""


@dataclass(eq=False)
class BadDate(ConvocationRefusal):
    """Dates are written AAAA-MM-DD."""

    raw: str


@dataclass(eq=False)
class BadTime(ConvocationRefusal):
    """Times are written HH:MM, 24 h."""

    raw: str


@dataclass(eq=False)
class PastDate(ConvocationRefusal):
    """A session cannot be convened in the past."""

    day: str


@dataclass(eq=False)
class ShortNotice(ConvocationRefusal):
    """R7: fewer business days of notice than the act (or the secretariat) requires."""

    kind: str
    days: int
    earliest: str
    suggested: str | None


@dataclass(eq=False)
class NonBusinessRefused(ConvocationRefusal):
    """R7/R8 with ``sesion_en_inhabil = no``: the day is not a business day."""

    day: str
    reason: str
    next_business: str


class MissingPlace(ConvocationRefusal):
    """Every convocation says where."""


class MissingAgenda(ConvocationRefusal):
    """R7: a convocation always comes with its agenda."""


class NoLinkedGroup(ConvocationRefusal):
    """Convocations are also posted in the official channel (seed III.11)."""


class SessionRefusal(Refusal):
    """A session command that does not fit the session's state."""


@dataclass(eq=False)
class SessionNotFound(SessionRefusal):
    """No session with that number."""

    number: int


class NoUpcomingSession(SessionRefusal):
    """``/quorum`` or ``/iniciar`` without a number and nothing convened ahead."""


@dataclass(eq=False)
class WrongSessionState(SessionRefusal):
    """The command does not apply to the session's current state."""

    number: int
    state: str
    hint: str


@dataclass(eq=False)
class NotSessionDay(SessionRefusal):
    """The roll call opens on the day of the session (in the secretariat's time zone)."""

    number: int
    day: str


class CalendarRefusal(Refusal):
    """A non-business-day declaration that does not apply."""


@dataclass(eq=False)
class DayAlreadyDeclared(CalendarRefusal):
    """The day is already declared non-working."""

    day: str


@dataclass(eq=False)
class DayNotDeclared(CalendarRefusal):
    """``/habil`` on a day that was not declared (official holidays cannot be removed)."""

    day: str
    holiday: str | None


@dataclass(eq=False)
class BadRange(CalendarRefusal):
    """``hasta`` before the start, or a range over a year."""

    start: str
    end: str


class NoOpenVote(Refusal):
    """``/cerrar`` with no open vote (or one that closed meanwhile)."""


@dataclass(eq=False)
class BallotAlreadyCast(ButtonRefusal):
    """A double press on the same choice: the ballot was already stored (R3)."""

    choice: str


@dataclass(eq=False)
class TooLateToCancel(SessionRefusal):
    """R11: cancellation needs every seat's approval at least 24 h before the start."""

    number: int
    deadline: str


@dataclass(eq=False)
class CancellationPending(SessionRefusal):
    """One cancellation request at a time per session."""

    number: int


@dataclass(eq=False)
class ApprovalsClosed(ButtonRefusal):
    """R11: approvals stop at the session's start minus 24 h."""

    deadline: str


@dataclass(eq=False)
class SessionNotHeld(SessionRefusal):
    """``/acta_enviada`` on a session that was never installed: it has no minutes (R15)."""

    number: int


@dataclass(eq=False)
class MinutesAlreadySent(SessionRefusal):
    """The minutes were already marked sent; the first mark is the evidence (R15)."""

    number: int
    sent_at: str


class ImportRefusal(Refusal):
    """A roster file that cannot be imported; nothing of it is added."""


@dataclass(eq=False)
class NotASpreadsheet(ImportRefusal):
    """``/importar`` takes a ``.csv`` or ``.xlsx`` file only."""

    filename: str


@dataclass(eq=False)
class FileTooLarge(ImportRefusal):
    """The file (or an XLSX's unpacked content) is over the limit."""

    limit_kib: int


@dataclass(eq=False)
class UnreadableFile(ImportRefusal):
    """Corrupt, binary or undecodable: not a sheet that can be read."""

    kind: str


@dataclass(eq=False)
class MissingColumns(ImportRefusal):
    """The header row lacks a required column (``tipo``, ``sector``, ``nombre``)."""

    missing: list[str]
    found: list[str]


class NoRows(ImportRefusal):
    """The file has no data rows under its header."""


@dataclass(eq=False)
class TooManyRows(ImportRefusal):
    """More rows than one import takes."""

    limit: int


@dataclass(eq=False)
class BadRows(ImportRefusal):
    """Some rows break R1–R3 or /alta's rules; ``problems`` names each (sheet row numbers)."""

    problems: list[RowProblem]
    valid: list[str]
    rows: int


class MinutesRefusal(Refusal):
    """Minutes (R14) that cannot take this step; nothing is stored."""


class NoHeldSession(MinutesRefusal):
    """``/nota`` before any session of the secretariat was installed."""


@dataclass(eq=False)
class AgendaItemNotFound(MinutesRefusal):
    """``/nota`` names an item the session's agenda does not have."""

    item: int
    items: int
    number: int


@dataclass(eq=False)
class NoteTooLong(MinutesRefusal):
    """A note longer than a paragraph of narrative."""

    limit: int


@dataclass(eq=False)
class MinutesAlreadySigned(MinutesRefusal):
    """Every signatory signed: the acta is closed (a correction is a new session's matter)."""

    number: int


@dataclass(eq=False)
class NotAMinutesFile(MinutesRefusal):
    """An upload that is neither a real ``.pdf`` nor a real ``.docx``."""

    filename: str


@dataclass(eq=False)
class MinutesFileTooLarge(MinutesRefusal):
    """Over the size a bot may download (checked before downloading)."""

    limit_mib: int


@dataclass(eq=False)
class NoMinutesYet(MinutesRefusal):
    """The session has no version yet: ``/acta n`` makes the draft."""

    number: int


@dataclass(eq=False)
class NotSignedYet(MinutesRefusal):
    """``/acta_firmada`` before the last signature."""

    number: int


@dataclass(eq=False)
class StaleVersion(MinutesRefusal):
    """A button of a version that a newer one replaced (its signatures are void)."""

    version: int
    current: int


@dataclass(eq=False)
class AlreadyCirculated(MinutesRefusal):
    """This version is already out for signature."""

    version: int
    at: str


@dataclass(eq=False)
class NotCirculated(MinutesRefusal):
    """A signature for a version that was never circulated."""

    version: int


class AgreementRefusal(Refusal):
    """The register of agreements (R16) refuses this; nothing changes."""


@dataclass(eq=False)
class AgreementNotFound(AgreementRefusal):
    """No agreement with that code in the caller's secretariat."""

    code: str


@dataclass(eq=False)
class AgreementAlreadyRegistered(AgreementRefusal):
    """The vote was registered as an agreement already."""

    code: str


@dataclass(eq=False)
class VoteNotApproved(AgreementRefusal):
    """Only an approved session vote becomes an agreement (R12, R16)."""

    vote_id: int


class NotResponsible(AgreementRefusal):
    """Only the facilitator and the responsible seat's people follow an agreement up."""


@dataclass(eq=False)
class AgreementClosed(AgreementRefusal):
    """A ``cumplido`` or ``cancelado`` agreement keeps its final status."""

    code: str
    status: str


# --- members' proposals (R17): /propuesta, Agregar P-n al orden del día --------------


class ProposalRefusal(Refusal):
    """A proposal (R17) is refused; nothing is stored."""


@dataclass(eq=False)
class ProposalTooLong(ProposalRefusal):
    """Over the text limit: refused, not cut, so the author chooses what to leave out."""

    limit: int
    length: int


@dataclass(eq=False)
class NotAProposalFile(ProposalRefusal):
    """A document that is not a real PDF, Word, ODT, Excel, JPEG or PNG file."""

    filename: str


@dataclass(eq=False)
class ProposalFileTooLarge(ProposalRefusal):
    """Over the size a bot may download (checked before downloading)."""

    limit_mib: int


@dataclass(eq=False)
class ProposalAlreadyOnAgenda(ProposalRefusal):
    """A second press of ``Agregar P-n al orden del día``: it is there already."""

    number: str


@dataclass(eq=False)
class AgendaFull(ProposalRefusal):
    """The draft's agenda has as many items as a convocation holds."""

    limit: int


# --- removal requests (R4): /remocion, Respaldo la solicitud, the session's vote ----------
class RemovalRefusal(Refusal):
    """A removal request (or backing, or its vote) that R4 does not allow."""


class FacilitatorCannotSponsor(RemovalRefusal):
    """R4: the facilitator may not sponsor (nor back) a removal request."""


class ObserverCannotSponsor(RemovalRefusal):
    """R4: only a seat's titular or substitute sponsors; observers hold no seat (R2)."""


class ConcernedCannotSponsor(RemovalRefusal):
    """R4: the person concerned may not sponsor the request against them."""


@dataclass(eq=False)
class SameSeatSponsor(RemovalRefusal):
    """R4: the two sponsors are of two different seats (titular and substitute are one)."""

    seat: str
    request: int


@dataclass(eq=False)
class NotRemovable(RemovalRefusal):
    """R4 removes a seat's titular or substitute; not the facilitator nor an observer."""

    number: int
    role: str


@dataclass(eq=False)
class RemovalReasonTooLong(RemovalRefusal):
    """The reasons are refused, not cut: the sponsors decide what to leave out."""

    limit: int
    length: int


@dataclass(eq=False)
class RemovalAlreadyRequested(RemovalRefusal):
    """One open request per member: a second one is refused, naming the first."""

    request: int
    name: str
    state: str


@dataclass(eq=False)
class RemovalAlreadyBacked(RemovalRefusal):
    """The request already has its two seats (R4): no further backing is needed."""

    request: int


@dataclass(eq=False)
class RemovalClosed(RemovalRefusal):
    """The request was decided or lapsed: it takes no backing nor vote."""

    request: int
    state: str


@dataclass(eq=False)
class RemovalNotInSession(RemovalRefusal):
    """R4: the vote is held in the session whose agenda carries the item, once installed."""

    request: int
    session: int | None


@dataclass(eq=False)
class RemovalVoteAlreadyOpen(RemovalRefusal):
    """The request's vote was already opened (a double press)."""

    request: int


# --- the public channel and communiqués (R18): canal_publico, /comunicado -------------
@dataclass(eq=False)
class PublicChannelRefusal(SettingRefusal):
    """``canal_publico`` names no channel the bot can post in (R18); nothing changes."""

    channel: str


class ChannelNotFound(PublicChannelRefusal):
    """Telegram knows no chat by that name or id (or hides it from the bot)."""


class NotAChannel(PublicChannelRefusal):
    """The chat is a group or a private chat, not a channel."""


class BotNotInChannel(PublicChannelRefusal):
    """The bot is not in the channel (never added, left or removed)."""


class BotNotChannelAdmin(PublicChannelRefusal):
    """The bot is in the channel but not as an administrator."""


class BotCannotPost(PublicChannelRefusal):
    """The bot administers the channel without the right to post messages."""


class CommuniqueRefusal(Refusal):
    """``/comunicado`` refuses this; nothing is stored or posted (R18)."""


@dataclass(eq=False)
class CommuniqueTooLong(CommuniqueRefusal):
    """Over the limit that keeps it one message (UTF-16 code units, as Telegram counts)."""

    length: int
    limit: int


@dataclass(eq=False)
class CommuniqueRepeated(CommuniqueRefusal):
    """The same text as the latest communiqué: a double send is published once."""

    number: int


# --- the follow-up report (R16a, II.6): /reporte ---------------------------------------


@dataclass(eq=False)
class ReportMonthAhead(Refusal):
    """``/reporte`` for a month that has not begun: there is nothing to report yet."""

    month: str  # "marzo de 2027"
    latest: str  # the current month, the latest one a report can cover (so far)


# --- the action plan (R16a): /compromiso, /hito, /avance, /nivel ---------------------


class ActionPlanRefusal(Refusal):
    """The action plan (R16a) refuses this; nothing changes."""


@dataclass(eq=False)
class CommitmentNotFound(ActionPlanRefusal):
    """No commitment ``C-n`` in the caller's secretariat (or not a commitment code)."""

    code: str


@dataclass(eq=False)
class MilestoneNotFound(ActionPlanRefusal):
    """No milestone ``C-n.m`` in the caller's secretariat (or not a milestone code)."""

    code: str


@dataclass(eq=False)
class BadCommitmentFields(ActionPlanRefusal):
    """``/compromiso``'s field lines are wrong; ``problem`` is a ``FieldProblem`` value."""

    problem: str
    detail: str
    limit: int = 0


@dataclass(eq=False)
class BadWeight(ActionPlanRefusal):
    """A milestone's weight is a whole number 1 … limit."""

    raw: str
    limit: int


@dataclass(eq=False)
class PlanTextTooLong(ActionPlanRefusal):
    """A milestone's text, an evidence or a reason over its limit."""

    what: str
    limit: int


@dataclass(eq=False)
class MilestoneUnchanged(ActionPlanRefusal):
    """The milestone already is done (or pending): no second history row."""

    code: str
    done: bool


@dataclass(eq=False)
class MissingLevelReason(ActionPlanRefusal):
    """A level set by hand needs its reason (R16a)."""

    code: str


@dataclass(eq=False)
class LevelAlreadyAutomatic(ActionPlanRefusal):
    """``/nivel C-n auto`` on a level that already follows the milestones."""

    code: str


@dataclass(eq=False)
class NotCommitmentResponsible(ActionPlanRefusal):
    """Only the facilitator and the responsible seat's people mark a commitment's progress."""

    code: str


# --- session evidence (R19 a): /evidencia ----------------------------------------------


class EvidenceRefusal(Refusal):
    """``/evidencia`` refuses this; no file is kept and no evidence recorded (R19 a)."""


@dataclass(eq=False)
class NoEvidenceFile(EvidenceRefusal):
    """``/evidencia n`` without a photo, video, audio, voice note or document with it (or
    as a reply to a message that carries none)."""

    number: int
    replied: bool


@dataclass(eq=False)
class NotAnEvidenceFile(EvidenceRefusal):
    """A file of no accepted type, or whose bytes do not match what its name claims."""

    filename: str


@dataclass(eq=False)
class EvidenceFileTooLarge(EvidenceRefusal):
    """Over the size a bot may download (checked before downloading)."""

    limit_mib: int


@dataclass(eq=False)
class EvidenceCaptionTooLong(EvidenceRefusal):
    """A description over the limit: refused, not cut, since it goes on a public page."""

    limit: int
    length: int


@dataclass(eq=False)
class EvidenceSessionNotHeld(EvidenceRefusal):
    """A session still in draft, convened or cancelled: only held sessions have evidence."""

    number: int
    state: str


@dataclass(eq=False)
class EvidenceAlreadyAttached(EvidenceRefusal):
    """The same file (by SHA-256) is already an evidence of that session."""

    number: int
    evidence: int


# --- end of term (R5): /informe, /entrega ------------------------------------------------
class TermRefusal(Refusal):
    """The end-of-term report or handover package cannot be made (R5)."""


class TermNotSet(TermRefusal):
    """``periodo_inicio`` or ``periodo_fin`` is empty: there is no term to report on."""


@dataclass(eq=False)
class HandoverTooLarge(TermRefusal):
    """The package exceeds what a bot may send (Telegram's 50 MB); nothing is sent."""

    size_mb: str  # "61.3"
    limit_mb: int
