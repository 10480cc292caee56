from __future__ import annotations

from workbench.engine.observation import logformat


def test_report_line_matches_aws_format() -> None:
    line = logformat.report_line("r1", 15.7412, 16, 128, 56, 130.49)
    assert line == ("REPORT RequestId: r1\tDuration: 15.74 ms\tBilled Duration: 16 ms\tMemory Size: 128 MB\t"
                    "Max Memory Used: 56 MB\tInit Duration: 130.49 ms\t")
    timeout = logformat.report_line("r2", 600000, 600477, 1536, 1035, 476.75, "timeout")
    assert timeout.endswith("Init Duration: 476.75 ms\tStatus: timeout")
    crash = logformat.report_line("r3", 1.0, 1, 128, 20, None, "error", "Runtime.ExitError")
    assert crash.endswith("Max Memory Used: 20 MB\tStatus: error\tError Type: Runtime.ExitError")


def test_billing_rounds_up_to_the_millisecond_and_adds_init_on_cold_starts() -> None:
    assert logformat.billed_duration(15.74) == 16
    assert logformat.billed_duration(26.73) == 27
    assert logformat.billed_duration(600000.0, 476.75) == 600477
    assert logformat.billed_duration(0.2) == 1
    assert logformat.billed_duration(3.0) == 3


def test_platform_lines() -> None:
    assert logformat.start_line("r", "$LATEST") == "START RequestId: r Version: $LATEST"
    assert logformat.end_line("r") == "END RequestId: r"
    assert logformat.init_report_line(10337.014, "init", "timeout") == \
        "INIT_REPORT Init Duration: 10337.01 ms\tPhase: init\tStatus: timeout"
    assert logformat.init_report_line(45045.69, "invoke", "error", "Runtime.Unknown") == \
        "INIT_REPORT Init Duration: 45045.69 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.Unknown"
    assert logformat.timeout_line(0.5, "r", 3) == "1970-01-01T00:00:00.500Z r Task timed out after 3.00 seconds"
    assert logformat.log_stream_name(86400 * 365, "7", "ab" * 16) == "1971/01/01/[7]" + "ab" * 16
