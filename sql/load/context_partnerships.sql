-- Partnership codes with a loaded roster (grain: partnership_code).
SELECT partnership_code FROM partnerships
