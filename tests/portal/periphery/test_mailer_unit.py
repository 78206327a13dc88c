"""Mail goes out after commit, through a real SMTP server, never raising."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from portal.services.mailer import (
    Mailer,
    SmtpConfigError,
    SmtpTarget,
    send_after_commit,
)

from .smtp_sink import SmtpSink, free_port


@pytest.fixture
def sink():
    server = SmtpSink()
    server.start()
    yield server
    server.stop()


def test_smtp_url_parsing():
    target = SmtpTarget.from_url("smtp://u%40x:p%2Fw@mail.example:587?starttls=1")
    assert (target.host, target.port, target.starttls) == ("mail.example", 587, True)
    assert (target.username, target.password) == ("u@x", "p/w")
    assert SmtpTarget.from_url("smtps://mail.example").port == 465
    with pytest.raises(SmtpConfigError):
        SmtpTarget.from_url("http://mail.example")


def test_mail_is_sent_only_after_commit(sink):
    mailer = Mailer(SmtpTarget.from_url(sink.url))
    engine = create_engine("sqlite://")
    with Session(engine) as session:
        session.execute(text("select 1"))
        send_after_commit(session, mailer, "a@example.be", "Rolled back", "no")
        session.rollback()
        session.execute(text("select 1"))
        send_after_commit(session, mailer, "b@example.be", "Dossier déposé", "Votre dossier é")
        assert sink.messages == []
        session.commit()
    mailer.close()
    messages = sink.wait_for(1)
    assert [m["To"] for m in messages] == ["b@example.be"]
    assert messages[0]["Subject"] == "Dossier déposé"
    assert "Votre dossier é" in messages[0].get_payload(decode=True).decode()


def test_an_unreachable_server_is_logged_not_raised(caplog):
    mailer = Mailer(SmtpTarget.from_url(f"smtp://127.0.0.1:{free_port()}"))
    assert mailer.send("c@example.be", "x", "y").result(timeout=15) is False
    mailer.close()
    assert "not delivered" in caplog.text and "c@example.be" in caplog.text
