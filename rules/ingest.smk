# The dispatch list, then one rule per survey source. Each writes its tables, its review/quarantine items
# and the overrides it applied.


rule dispatch:
    """The dispatch list (who was asked) as a table; the phone ingest and everything after read it."""
    input:
        dispatch=dispatch_file,
        klass=lambda wc: klass_version_file(wc.round),
        bydeler=BYDELER,
        code=code_of("dispatch"),
    output:
        dispatch=round_table("dispatch"),
    params:
        round="{round}",
    log:
        os.path.join(LOGS, "{round}", "dispatch.log"),
    threads: 1
    # on the critical path of a cold build: start before the independent rules (benchmarks/README.md)
    priority: 10
    resources:
        mem_mb=500,
    run:
        from kartlegging.steps.dispatch import step_dispatch

        run_step(rule, wildcards, log, output, step_dispatch, params.round, input.klass, input.bydeler,
                 input.dispatch, output.dispatch)


rule ingest_epost:
    """E-mail replies: identify the unit against the dispatch list, code questions 1 and 5."""
    input:
        unpack(letter_of),
        dispatch=dispatch_file,
        klass=lambda wc: klass_version_file(wc.round),
        bydeler=BYDELER,
        emails=email_files,
        code=code_of("ingest_epost"),
    output:
        replies=round_table("email_replies"),
        issues=round_table("issues_epost"),
        applied=round_table("overrides_epost"),
    params:
        round="{round}",
        overrides=overrides_for("epost"),
    log:
        os.path.join(LOGS, "{round}", "ingest_epost.log"),
    threads: 1
    # on the critical path of a cold build: start before the independent rules (benchmarks/README.md)
    priority: 10
    resources:
        mem_mb=1000,
    run:
        from kartlegging.steps.ingest_epost import step_ingest_email

        run_step(rule, wildcards, log, output, step_ingest_email, params.round, input.klass, input.bydeler,
                 input.dispatch, input.emails, params.overrides, output, input.get("letter"))


rule ingest_telefon:
    """The phone round: one row per attempt, one final answer per unit."""
    input:
        log=os.path.join(RAW, "{round}", "telefonrunde.xlsx"),
        dispatch=round_table("dispatch"),
        klass=lambda wc: klass_version_file(wc.round),
        bydeler=BYDELER,
        code=code_of("ingest_telefon"),
    output:
        attempts=round_table("phone_attempts"),
        units=round_table("phone_units"),
        issues=round_table("issues_telefon"),
        applied=round_table("overrides_telefon"),
    params:
        round="{round}",
        overrides=overrides_for("telefon"),
    log:
        os.path.join(LOGS, "{round}", "ingest_telefon.log"),
    threads: 1
    # on the critical path of a cold build: start before the independent rules (benchmarks/README.md)
    priority: 10
    resources:
        mem_mb=1000,
    run:
        from kartlegging.steps.ingest_telefon import step_ingest_phone

        run_step(rule, wildcards, log, output, step_ingest_phone, params.round, input.klass, input.bydeler,
                 input.log, input.dispatch, params.overrides, output)


rule ingest_intervjuer:
    """Telephone interviews: code every item, resolve kommuner, merge Oslo's bydeler."""
    input:
        workbooks=interview_files,
        klass=lambda wc: klass_version_file(wc.round),
        bydeler=BYDELER,
        code=code_of("ingest_intervjuer"),
    output:
        interviews=round_table("interviews"),
        services=round_table("services"),
        service_kommuner=round_table("service_kommuner"),
        issues=round_table("issues_intervju"),
        applied=round_table("overrides_intervju"),
    params:
        round="{round}",
        overrides=overrides_for("intervju"),
    log:
        os.path.join(LOGS, "{round}", "ingest_intervjuer.log"),
    threads: 1
    resources:
        mem_mb=1000,
    run:
        from kartlegging.steps.ingest_intervjuer import step_ingest_interviews

        run_step(rule, wildcards, log, output, step_ingest_interviews, params.round, input.klass,
                 input.bydeler, input.workbooks, params.overrides, output)
