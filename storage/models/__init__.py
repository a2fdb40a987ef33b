"""Typed models, one module per aggregate; importing this package registers them all."""

from storage.models.act_chain import ChainEntry, ChainHead
from storage.models.action_plan import Commitment, CommitmentChange, CommitmentMilestone
from storage.models.agreement import Agreement, AgreementChange
from storage.models.audit import AuditEntry
from storage.models.base import Base
from storage.models.cancellation import Cancellation, CancellationAnswer
from storage.models.choice import PendingChoice
from storage.models.dissemination import ChannelPost, Communique
from storage.models.meeting import (
    AttendanceAnswer,
    CustomaryProposal,
    Delivery,
    Meeting,
    NonWorkingDay,
    Presence,
)
from storage.models.menu import PublishedMenu
from storage.models.microsite import InboxMessage, SessionEvidence
from storage.models.minutes import (
    GaranteMailing,
    MinutesChangeRequest,
    MinutesNote,
    MinutesSignature,
    MinutesVersion,
    SignedMinutes,
    StoredFile,
)
from storage.models.operations import ChatState, SendSlot
from storage.models.proposal import Proposal, ProposalForwarding
from storage.models.reminder import Reminder
from storage.models.removal import RemovalRequest, RemovalSponsor
from storage.models.roster import Invitation, Member
from storage.models.secretariat import Seat, Secretariat
from storage.models.vote import Ballot, SeatBallot, Vote

__all__ = [
    "Agreement",
    "AgreementChange",
    "AttendanceAnswer",
    "AuditEntry",
    "Ballot",
    "Base",
    "Cancellation",
    "CancellationAnswer",
    "ChainEntry",
    "ChainHead",
    "ChannelPost",
    "ChatState",
    "Commitment",
    "CommitmentChange",
    "CommitmentMilestone",
    "Communique",
    "CustomaryProposal",
    "Delivery",
    "GaranteMailing",
    "InboxMessage",
    "Invitation",
    "Meeting",
    "Member",
    "MinutesChangeRequest",
    "MinutesNote",
    "MinutesSignature",
    "MinutesVersion",
    "NonWorkingDay",
    "PendingChoice",
    "Presence",
    "Proposal",
    "ProposalForwarding",
    "PublishedMenu",
    "Reminder",
    "RemovalRequest",
    "RemovalSponsor",
    "Seat",
    "SeatBallot",
    "Secretariat",
    "SendSlot",
    "SessionEvidence",
    "SignedMinutes",
    "StoredFile",
    "Vote",
]
