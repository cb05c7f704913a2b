"""Button actions of the partners area: onboarding (ob:), managers' decisions (app:, rej:) and settings (set:).
The packed strings are the ones already sent in old messages: never change a prefix or a field's order."""
from __future__ import annotations

from services.kernel.actions import ActionData, token

LOCALE = r"[a-z]{2}"


# ---- onboarding: the applicant ----------------------------------------------------------------------------

class OnboardingLanguage(ActionData, prefix="ob:lang"):
    locale: str = token(LOCALE)


class OnboardingBack(ActionData, prefix="ob:back"):
    pass


class OnboardingCancel(ActionData, prefix="ob:cancel"):
    pass


class OnboardingTerms(ActionData, prefix="ob:terms"):
    pass


# ---- applications: managers ---------------------------------------------------------------------------------

class ApplicationApprove(ActionData, prefix="app:ok"):
    application: int


class ApplicationReject(ActionData, prefix="app:no"):
    application: int


class ApplicationCard(ActionData, prefix="app:card"):
    application: int


class RejectPreset(ActionData, prefix="rej"):
    application: int
    reason: str = token(r"[a-z]+")


# ---- settings -----------------------------------------------------------------------------------------------

class SettingsHome(ActionData, prefix="set:home"):
    pass


class LanguageMenu(ActionData, prefix="set:lang"):
    pass


class SetLanguage(ActionData, prefix="set:lang"):
    locale: str = token(LOCALE)


class TimezoneMenu(ActionData, prefix="set:tz"):
    pass


class SetTimezone(ActionData, prefix="set:tz"):
    zone: str = token(r"[A-Za-z_/+\-0-9]{1,40}")  # checked against the IANA database by the handler


class MuteMenu(ActionData, prefix="set:mute"):
    pass


class SetMute(ActionData, prefix="set:mute"):
    kind: str = token(r"[a-z_0-9]+")
    mute: bool  # what the button will do, so a double tap cannot flip it back


class LinkAccount(ActionData, prefix="set:linkacc"):
    pass


class MutePage(ActionData, prefix="set:mutep"):
    page: int  # the mute menu in pages: a VK inline keyboard holds at most 10 buttons in 6 rows


class QuietMenu(ActionData, prefix="set:quiet"):
    pass


class SetQuiet(ActionData, prefix="set:quiet"):
    start: int  # minutes of the day, partner's time zone; validated by the handler (0–1439, start != end)
    end: int


class QuietOff(ActionData, prefix="set:quietoff"):
    pass


class QuietType(ActionData, prefix="set:quiettype"):
    pass


class SetAnnounce(ActionData, prefix="set:announce"):
    on: bool  # what the button will do, so a double tap cannot flip it back
