SELECT count(*) FROM establishments e
