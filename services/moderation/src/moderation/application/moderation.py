"""The moderation use cases, one method per RPC of `community.moderation.v1.ModerationService`,
one family per module (rules, reports, content, sanctions, restrictions, automod rules, log)
on the shared pipeline (`moderation.application.pipeline`)."""

from __future__ import annotations

from moderation.application.automod_rules import AutomodRules
from moderation.application.content import ContentActions
from moderation.application.log import Log
from moderation.application.reports import Reports
from moderation.application.restrictions import Restrictions
from moderation.application.rules import Rules
from moderation.application.sanctions import Sanctions


class Moderation(Rules, Reports, ContentActions, Sanctions, Restrictions, AutomodRules, Log):
    """What the gRPC API calls (and the automod step, for the content it removes)."""
