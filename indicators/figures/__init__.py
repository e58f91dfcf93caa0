"""The figures: what a scope counts (`scope`), the sums pages and exports read
(`stats`, `tables`, `charts`), and the daily sums kept in step with the events
(`store`, `signals`)."""
