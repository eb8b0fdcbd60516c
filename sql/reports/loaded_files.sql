-- The files behind the store's current contents: the latest load of each file name and kind (grain: kind, file_name).
SELECT kind, file_name, sha256, rows, loaded_at
FROM load_log
QUALIFY row_number() OVER (PARTITION BY kind, file_name ORDER BY load_id DESC) = 1
ORDER BY kind, file_name
