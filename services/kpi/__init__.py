"""Program KPIs for managers: one use case (services.kpi.queries.program_kpis) shared by /kpi in the chat, its
chart and CSV, the staff page of the web dashboard and the REST API."""
