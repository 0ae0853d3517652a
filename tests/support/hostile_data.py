"""Small Online Retail files whose text is hostile Markdown, for the page and browser tests."""

from __future__ import annotations

import io

import pandas as pd

#: A remote image and a live link, as a CSV header, a country or a name could carry them.
HOSTILE = "![x](http://127.0.0.1:9/t.png) [Log in](https://evil.example)"


def transactions_csv(countries: dict[int, str]) -> bytes:
    """An Online Retail CSV: a customer per ``countries`` item (CustomerID -> country), two invoices each."""
    rows = []
    for number, (customer, country) in enumerate(countries.items()):
        for day in (1, 15):
            rows.append(
                {
                    "InvoiceNo": f"5{number:02d}{day:02d}",
                    "StockCode": "85123A",
                    "Description": "WHITE HANGING HEART T-LIGHT HOLDER",
                    "Quantity": 6,
                    "InvoiceDate": f"2011-03-{day:02d} 10:00",
                    "UnitPrice": 2.55,
                    "CustomerID": customer,
                    "Country": country,
                }
            )
    buffer = io.StringIO()
    pd.DataFrame(rows).to_csv(buffer, index=False)
    return buffer.getvalue().encode()


#: Five customers in the United Kingdom (enough for the default k) and one in the hostile country.
ONE_HOSTILE_COUNTRY = {
    **{customer: "United Kingdom" for customer in (17850, 13047, 13748, 15100, 15291)},
    12583: HOSTILE,
}
#: A CSV whose header is hostile (and lacks the Online Retail columns).
HOSTILE_HEADER_CSV = f"{HOSTILE},amount\n1,2\n".encode()
