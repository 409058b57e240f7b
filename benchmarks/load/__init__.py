"""A Monday morning under load, with faults injected (issue 18).

    python -m benchmarks.load [--orders 1000000] [--keep] [--duration 300] [--users 50]
    python -m benchmarks.load --smoke        # CI: 30 s on 2,000 orders, every fault once

One command sets up and tears down, on 127.0.0.1 only (benchmarks/load/stack.py):
- PostgreSQL: a database seeded by benchmarks/queue_pages.py's seed() (30 förvaltningar,
  40,000 employees, 100,000 cards, N orders; kept as rsportal_load_seed_N for --keep),
  copied for each run to rsportal_load_run (dropped at the end), where the run's own
  records are added (fixtures.py): the seed's letters dated in the future brought to now,
  the long weekend's orders waiting in every förvaltning's queue (one per second of
  traffic each, so the contact persons' approvals last the run), every login's password
  (one PBKDF2 hash at Django's iterations, shared, so the login costs what it does in
  production while seeding hashes once), a population-register file with every
  employee, 3 card stations with their credentials and operators, PUKs for 300 cards;
- its own redis-server on a free port (appendonly, as docker-compose.yml);
- gunicorn rsportal.wsgi, 3 sync workers, RSPORTAL_ENV=production over http on loopback,
  password logins counting as level 3 (standing in for the IdP's SITHS login);
- 2 Celery workers (solo pool: one process each) and beat on that redis;
- the print house's spool (letters.print_house.SpoolPrintHouse in a temporary directory,
  RSPORTAL_PRINT_HOUSE_SECRET set).
Each employee and contact person is logged in once, through the login form, before the
traffic starts; Locust's users (FastHttpUser: the load generator shares the two cores)
take their cookies. Before the traffic too, what the weekend's beat would have done: the
seed's approved orders without a letter get theirs, its overdue orders their escalations,
and its last day's orders and decisions their mails, through the run's Celery workers.

The traffic (locustfile.py), Locust headless in a subprocess, stopped by --duration or
--max-requests. Users: 1 print house, 3 stations, the rest employees and contact persons
3:2. Each user waits 0.2-0.8 s between tasks (stations 1-3 s); a task's weight is its
share of that user's tasks:
- employee: Mina kort (4); their orders and one order's page (3); order a PUK letter (1):
  Mina kort, the order form, the confirmation step, sending it (the order id it is told
  goes to created.jsonl) and the new order's page;
- contact person: the queue and an order's page (4); the queue filtered by state and date
  and an order's page (2); a search by surname (2); approve (3), reject (1) and bulk
  approve (1, up to 5 rows) orders the queue shows; the CSV export of 30 days (1);
- print house: signed status reports (webhook /tryckeri/status/) for the letters it finds
  in the spool, in order (printed, posted, delivered or 1 in 10 returned), 8 % duplicates
  of a report already answered and 4 % a late "printed" after "posted" (both answered 409);
  every report sent goes to reports.jsonl;
- station API: the operator's desk login once, then per holder a card read, the ID check,
  an assisted unblock's ticket, its redemption and the outcome.

Faults (faults.py), on a schedule, each logged with its start and end: kill -9 of a Celery
worker (started again), redis-server restarted, pg_terminate_backend of every connection
to the run's database, kill -9 of a gunicorn worker, a 10 s burst of print-house reports
at 10x the rate. The report (report.py) goes to the terminal and var/load/report.md, the
picture of p95 over time to var/load/p95.svg: requests/s, median and p95 per endpoint
outside and inside the fault windows (a window: from a fault's start to 10 s after its
end; a request in flight at any moment of it belongs to it; the first users/rate + 5 s are
warm-up), the status codes of 400 and up, each fault's time until answers were normal
again, and where the CPU went (cpu.py: each part of the stack, and the rest of the
machine). Every request, order told and report sent is in var/load/*.csv|jsonl.
Then benchmarks/load/invariants.py checks the database; the command exits 1 if an
invariant is breached or a request outside the fault windows got a 5xx or no answer.
"""
