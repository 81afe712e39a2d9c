DELETE FROM jobs WHERE finished_at < $1
