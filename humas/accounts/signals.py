"""Hooks that apps above accounts subscribe to (in their AppConfig.ready), so accounts imports none of them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by the sign-in form's view after a person signed in with a password; ``user`` is the person.
# The audit log records it (humas/audit/receivers.py).
signed_in = Signal()

# Sent when a signed-in person confirmed their password again (humas/accounts/reauth.py).
reauthenticated = Signal()

# Sent when a person's second factor changed or was used: ``user`` and ``action`` (the audit
# action: "auth.two_factor_enrol", "auth.two_factor", "auth.recovery_code_used",
# "auth.recovery_codes_renew", "auth.two_factor_disable", and for passkeys "auth.passkey_add",
# "auth.passkey_used", "auth.passkey_remove"). The audit log records it.
two_factor_changed = Signal()
