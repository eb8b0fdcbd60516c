"""The dashboard's Streamlit settings, installed with the wheel so the installed dashboard starts as the checkout does."""
