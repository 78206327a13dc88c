"""Reading a bulk sheet: Excel and LibreOffice workbooks against the CSV they replace.

Run: ``.venv/bin/python bench/sheet_bench.py [--rows 200 2000] [--runs 7]``.
The same SESAM rows (the tests' row, typed cells in the workbooks) are
written as an Excel-in-Belgium CSV (cp1252, ``;``), Excel's "Texte Unicode"
(UTF-16, tab), ``.xlsx`` (openpyxl) and ``.ods`` (odfpy, with LibreOffice's
padding row); the table gives the median time of ``read_sheet`` and the
ratio to the CSV. Never run by the test suite (no timing asserts).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "cli" / "bulk"))
sys.path.insert(0, str(ROOT / "tests" / "cli"))
sys.path.insert(0, str(ROOT))

from harness import record  # noqa: E402


def _files(folder: Path, count: int) -> dict[str, Path]:
    import test_bulk_workbooks as wb
    from bulk_support import CLIENTS, sheet_row, write_sheet

    rows = [sheet_row(CLIENTS[i % len(CLIENTS)], "bench", i + 2) for i in range(count)]
    files = {"csv cp1252 ;": write_sheet(folder, rows, name=f"s{count}.csv")}
    utf16 = folder / f"s{count}.txt"
    utf16.write_bytes(wb._tab_text(rows).encode("utf-16"))
    files["Texte Unicode (UTF-16, tab)"] = utf16
    files["xlsx (openpyxl)"] = wb.write_xlsx(folder, rows, name=f"s{count}.xlsx")
    files["ods (odfpy)"] = wb.write_ods(folder, rows, name=f"s{count}.ods")
    return files


def main() -> None:
    from monespace_cli.bulk.sheet import read_sheet

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    table = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.rows:
            files = _files(Path(tmp), count)
            times: dict[str, list[float]] = {name: [] for name in files}
            for _ in range(args.runs):  # interleaved rounds
                for name, path in files.items():
                    sheet = "Clients" if path.suffix == ".ods" else None
                    start = time.perf_counter()
                    read = read_sheet(path, sheet=sheet)
                    times[name].append(time.perf_counter() - start)
                    assert len(read.records) == count, (name, len(read.records))
            base = statistics.median(times["csv cp1252 ;"])
            for name, values in times.items():
                median = statistics.median(values)
                table.append(
                    {
                        "rows": count,
                        "file": name,
                        "median ms": round(median * 1000, 1),
                        "ratio to CSV": round(median / base, 1),
                    }
                )
    for row in table:
        print(row)
    record("bulk_sheets", "Bulk sheets: reading workbooks vs CSV", table, runs=args.runs)


if __name__ == "__main__":
    main()
