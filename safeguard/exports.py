"""What every CSV export needs, whichever app writes it."""


def csv_cell(value: str) -> str:
    # A spreadsheet runs a cell that starts like a formula; team and user names are typed in.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value
