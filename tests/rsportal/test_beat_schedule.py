from rsportal.celery import app


def test_beat_runs_the_letter_and_mail_sweeps_print_batches_status_imports_spool_clean_up_escalations_digests_and_ticket_lapses():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled == {
        "letters.tasks.sweep_approved_orders",
        "orders.tasks.sweep_unsent_mail",
        "letters.tasks.form_print_batch",
        "letters.tasks.import_print_house_statuses",
        "letters.tasks.clean_print_spool",
        "orders.tasks.escalate_overdue_orders",
        "orders.tasks.send_daily_digests",
        "desk.tasks.record_lapsed_tickets",
    }
    assert scheduled <= set(app.tasks)
