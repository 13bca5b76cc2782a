"""E-mail notifications through SMTP with STARTTLS (stdlib ``smtplib``): a plain and an
HTML part, the equity image inline; the password never leaves the AUTH exchange."""

from tradebot.adapters.email.channel import EmailChannel, build_message

__all__ = ["EmailChannel", "build_message"]
