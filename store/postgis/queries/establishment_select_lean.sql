-- The columns of establishments that an analysis reads (EstablishmentFilter.Lean):
-- establishment_select.sql without the dataset, source id, name, address and
-- geocode source, a third less for the server to send on a full read.
SELECT e.id, e.kind, e.type, e.nace,
    e.employees_known, e.employees_low, e.employees_high, e.founded, e.closed,
    e.lon, e.lat, e.precision, e.h3, e.attrs
FROM establishments e
