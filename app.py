"""RFM Workflow Studio: the Streamlit entry point.

It wires the navigation over ``pages/`` and draws the sidebar every page shares; the pages
themselves only call the ``pipeline`` library.
"""

import streamlit as st

st.set_page_config(page_title="RFM Workflow Studio", page_icon=":material/hub:", layout="wide")


def home() -> None:
    st.title("RFM Workflow Studio")
    st.write(
        "Customer segments from retail transactions: load the UCI Online Retail data, "
        "preview RFM segments, and run a customer-clustering workflow built with the "
        "AWS Step Functions Data Science SDK, locally or on AWS."
    )


navigation = st.navigation([st.Page(home, title="Home", icon=":material/home:", default=True)])
navigation.run()
