"""A second factor for local accounts (issue 11): TOTP with recovery codes (django-otp) and
passkeys (django-otp-webauthn), asked for after the password, and the step-up that lifts a
session to the level health-related and social-services notes need.

Its own Django app (label ``mfa``) under accounts, so its table and migrations stay apart
from the accounts app's.
"""
