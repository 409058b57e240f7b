from rsportal.celery import app


def test_beat_runs_exactly_the_periodic_tasks_and_each_is_registered():
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
        "orders.tasks.route_waiting_orders",
        "desk.tasks.record_lapsed_tickets",
        "desk.tasks.end_expired_operator_rights",
        "organisation.tasks.end_expired_rights",
        "selfhelp.tasks.forget_old_guide_rows",
        "retention.tasks.carry_out_retention",
        "registers.tasks.sync_register",
        "registers.tasks.alert_overdue_registers",
    }
    assert scheduled <= set(app.tasks)
