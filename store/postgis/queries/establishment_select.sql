SELECT e.id, e.dataset_id, e.source_id, e.name, e.kind, e.type, e.nace,
    e.employees_known, e.employees_low, e.employees_high, e.founded, e.closed,
    e.street, e.postcode, e.district, e.province, e.country,
    e.lon, e.lat, e.precision, e.geocode_source, e.h3, e.attrs
FROM establishments e
