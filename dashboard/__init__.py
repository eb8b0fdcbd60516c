"""The Strategy Group dashboard (Streamlit): thin pages over a cached query layer."""
