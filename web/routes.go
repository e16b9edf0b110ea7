package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/web/api"
	"github.com/amends/amends/web/statuspage"
)

// routes is the whole URL map of the server.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.everyRequest)
	gzip := middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 1024})
	get := []string{http.MethodGet, http.MethodHead}

	// Public: no login, served from the page cache.
	e.Match(get, "/", s.handleStatus)
	e.Match(get, "/incidents/:id", s.handleIncident)
	e.Match(get, "/incidents/:id/explanation", s.handleExplanation)
	e.Match(get, "/incidents/:id/explanation/revisions/:n", s.handleExplanationRevision)
	e.Match(get, "/history", s.handleHistory)
	e.Match(get, "/uptime", s.handleUptime)
	// Feeds, and the public API compatible with Atlassian Statuspage's v2
	// (readable from any origin), built by web/statuspage, also from the
	// page cache (web/statuspage.go).
	e.Match(get, "/history.atom", s.serveFeed(statuspage.AtomType, statuspage.Atom))
	e.Match(get, "/history.rss", s.serveFeed(statuspage.RSSType, statuspage.RSS))
	v2 := []string{http.MethodGet, http.MethodHead, http.MethodOptions}
	e.Match(v2, "/api/v2/summary.json", s.serveStatuspage(statuspage.Summary), publicCORS)
	e.Match(v2, "/api/v2/status.json", s.serveStatuspage(statuspage.Status), publicCORS)
	e.Match(v2, "/api/v2/components.json", s.serveStatuspage(statuspage.Components), publicCORS)
	e.Match(v2, "/api/v2/incidents.json", s.serveStatuspage(statuspage.Incidents), publicCORS)
	e.Match(v2, "/api/v2/incidents/unresolved.json", s.serveStatuspage(statuspage.Unresolved), publicCORS)
	e.Match(v2, "/api/v2/scheduled-maintenances.json", s.serveStatuspage(statuspage.Maintenances), publicCORS)
	e.Match(v2, "/api/v2/scheduled-maintenances/upcoming.json", s.serveStatuspage(statuspage.Upcoming), publicCORS)
	e.Match(v2, "/api/v2/scheduled-maintenances/active.json", s.serveStatuspage(statuspage.Active), publicCORS)
	e.GET("/healthz", s.handleHealth)
	e.GET("/metrics", s.handleMetrics()) // promhttp compresses by itself
	e.Match(get, "/static/*", s.handleStatic(), gzip)

	// Browser pages with sessions and CSRF tokens.
	// Each form that an address may hammer has a limit of its own, so
	// that failures at one (a shared NAT's wrong passwords) never refuse
	// another; sign-in is throttled per account and address inside
	// handleLogin (web/login_throttle.go).
	perMinute := func(n int) echo.MiddlewareFunc {
		return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
			Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
				Rate: rate.Limit(float64(n) / 60), Burst: n, ExpiresIn: 10 * time.Minute,
			}),
			DenyHandler: s.tooManyAttempts,
		})
	}
	setupLimit := perMinute(s.cfg.LoginRate)
	subscribeLimit, unsubscribeLimit := perMinute(s.cfg.SubscribeRate), perMinute(s.cfg.SubscribeRate)
	// Middleware goes on each route rather than on a "" group, which would
	// send every unmatched request through the CSRF and session checks.
	browser := []echo.MiddlewareFunc{s.session, middleware.BodyLimit("1M"), s.csrf}
	e.GET("/login", s.handleLoginForm, browser...)
	e.POST("/login", s.handleLogin, browser...)
	e.POST("/logout", s.handleLogout, browser...)
	e.GET("/setup", s.handleSetupForm, browser...)
	e.POST("/setup", s.handleSetup, append(browser, setupLimit)...)
	e.GET("/subscribe", s.handleSubscribeForm, browser...)
	e.POST("/subscribe", s.handleSubscribe, append(browser, subscribeLimit)...)
	e.GET("/subscribe/confirm/:token", s.handleConfirmSubscription, browser...)
	// Unsubscribe links are their own authority (RFC 8058 one-click POSTs
	// come from mail providers without cookies), so no CSRF check.
	e.GET("/unsubscribe/:token", s.handleUnsubscribeForm, middleware.BodyLimit("64K"), s.csrf)
	e.POST("/unsubscribe/:token", s.handleUnsubscribe, middleware.BodyLimit("64K"), unsubscribeLimit)
	// A customer's statement: the unguessable token is the authority, so
	// no login; never cached publicly (web/public_statement.go).
	// Its forms (claims, and subscribing its contacts) carry CSRF tokens;
	// claims have the subscribe form's per-address limit.
	claimLimit := perMinute(s.cfg.SubscribeRate)
	e.Match(get, "/statement/:token", s.handleStatement, middleware.BodyLimit("64K"), s.csrf)
	e.POST("/statement/:token/claims", s.handleStatementClaim, middleware.BodyLimit("64K"), s.csrf, claimLimit)

	support, admin := role(auth.Support), role(auth.Admin)
	a := e.Group("/admin", append(browser, s.signedIn)...)
	a.GET("", s.handleAdminHome)
	// One's own account (web/admin_account.go): every signed-in user.
	a.GET("/account", s.handleAccount)
	a.POST("/account/password", s.handleChangePassword)
	a.GET("/incidents", s.handleAdminIncidents)
	a.GET("/incidents/new", s.handleNewIncident, support)
	a.POST("/incidents", s.handleCreateIncident, support)
	a.GET("/incidents/:id", s.handleAdminIncident)
	a.POST("/incidents/:id/updates", s.handlePostUpdate, support)
	// Corrections and deletion (web/admin_incident_corrections.go).
	a.GET("/incidents/:id/correct", s.handleCorrectIncidentPage, support)
	a.POST("/incidents/:id/correct", s.handleCorrectIncident, support)
	a.POST("/incidents/:id/updates/:uid/correct", s.handleCorrectUpdate, support)
	a.POST("/incidents/:id/delete", s.handleDeleteIncident, admin)
	a.GET("/incidents/:id/explanation", s.handleAdminExplanation)
	a.POST("/incidents/:id/explanation", s.handleSaveExplanation, support)
	a.POST("/incidents/:id/explanation/publish", s.handlePublishExplanation, role(auth.Manager))
	a.POST("/incidents/:id/explanation/return", s.handleReturnExplanation, role(auth.Manager))
	// Goodwill grants on the incident page (web/admin_goodwill.go); the
	// goodwill run is previewed by POST /admin/credits/runs {incident}.
	a.POST("/incidents/:id/goodwill", s.handleRequestGoodwill, support)
	a.GET("/goodwill/:id/approve", s.handleConfirmApproveGoodwill, role(auth.Manager))
	a.POST("/goodwill/:id/approve", s.handleApproveGoodwill, role(auth.Manager))
	a.POST("/goodwill/:id/withdraw", s.handleWithdrawGoodwill, support)
	// Personal notices of the customers an incident affected, and their
	// wording (web/admin_notices.go): support and above.
	a.GET("/incidents/:id/notices", s.handleNotices, support)
	a.POST("/incidents/:id/notices/request", s.handleRequestNotices, support)
	a.GET("/notices/:id", s.handleNoticeBatch, support)
	a.POST("/notices/:id/approve", s.handleApproveNotices, role(auth.Manager))
	a.GET("/notices/template", s.handleNoticeTemplate, support)
	a.POST("/notices/template", s.handlePostNoticeTemplate, support)
	// Incident templates for the declare form
	// (web/admin_incident_templates.go): support and above.
	a.GET("/incident-templates", s.handleIncidentTemplates, support)
	a.GET("/incident-templates/new", s.handleNewIncidentTemplate, support)
	a.POST("/incident-templates", s.handleCreateIncidentTemplate, support)
	a.GET("/incident-templates/:id", s.handleIncidentTemplate, support)
	a.POST("/incident-templates/:id", s.handleUpdateIncidentTemplate, support)
	a.POST("/incident-templates/:id/delete", s.handleDeleteIncidentTemplate, support)
	a.GET("/maintenance", s.handleMaintenance)
	a.POST("/maintenance", s.handleScheduleMaintenance, support)
	a.POST("/maintenance/:id/advance", s.handleAdvanceMaintenance, support)
	a.GET("/services", s.handleServices)
	a.POST("/services", s.handleCreateService, admin)
	a.POST("/components", s.handleCreateComponent, admin)
	a.GET("/users", s.handleUsers, admin)
	a.POST("/users", s.handleCreateUser, admin)
	a.POST("/users/:id/role", s.handleSetRole, admin)
	a.POST("/users/:id/disabled", s.handleSetDisabled, admin)
	a.POST("/tokens", s.handleCreateToken, admin)
	a.POST("/tokens/:id/revoke", s.handleRevokeToken, admin)
	a.GET("/subscribers", s.handleAdminSubscribers, role(auth.Manager))
	a.POST("/subscribers/:id/remove", s.handleRemoveSubscriber, role(auth.Manager))
	a.GET("/deliveries", s.handleAdminDeliveries, role(auth.Manager))
	// The local mail spool (web/admin_outbox.go): support and above.
	a.GET("/outbox", s.handleOutbox, support)
	// The SLA dashboard and report (web/admin_dashboard.go): managers and admins.
	a.GET("/dashboard", s.handleDashboard, role(auth.Manager))
	a.GET("/dashboard.csv", s.handleDashboardCSV, role(auth.Manager))
	a.GET("/reports/sla", s.handleSLAReport, role(auth.Manager))
	a.GET("/reports/sla.csv", s.handleSLAReportCSV, role(auth.Manager))
	// One customer's SLA report (web/report_customer.go): support and above.
	a.GET("/reports/sla/customer", s.handleCustomerReport, support)
	a.GET("/reports/sla/customer.csv", s.handleCustomerReportCSV, support)
	a.GET("/audit", s.handleAudit, role(auth.Manager))
	// The credit desk's pages (web/admin_customers.go, admin_credits.go):
	// everyone signed in reads, support keeps customers and previews and
	// requests runs, a manager who is not the requester approves.
	a.GET("/customers", s.handleCustomers)
	a.POST("/customers", s.handleCreateCustomer, support)
	a.GET("/customers/import", s.handleImportForm, support)
	a.GET("/customers/:customer", s.handleCustomer)
	a.POST("/customers/:customer/contact", s.handleUpdateContact, support)
	a.POST("/customers/:customer/resources", s.handleAddResource, support)
	a.POST("/customers/:customer/charges", s.handlePutCharge, support)
	a.POST("/customers/:customer/claims", s.handleRecordClaim, support)
	a.POST("/customers/:customer/statement", s.handleRotateStatement, support)
	a.POST("/customers/:customer/statement/revoke", s.handleRevokeStatement, support)
	a.GET("/credits", s.handleCreditRuns)
	a.POST("/credits/runs", s.handlePreviewRun, support)
	a.GET("/credits/runs/:id", s.handleCreditRun) // also ":id.csv", the run's CSV export
	a.POST("/credits/runs/:id/request", s.handleRequestRun, support)
	a.GET("/credits/runs/:id/approve", s.handleConfirmApproveRun, role(auth.Manager))
	a.POST("/credits/runs/:id/approve", s.handleApproveRun, role(auth.Manager))
	a.POST("/credits/runs/:id/reject", s.handleRejectRun, role(auth.Manager))
	a.GET("/credits/ledger", s.handleLedger)
	a.GET("/credits/ledger.csv", s.handleLedgerCSV)
	// Manual credits and their thresholds (web/admin_manual_credits.go):
	// support grants, a manager who did not request it decides, admins set
	// the thresholds; SLA policies (web/admin_policies.go): managers write.
	a.GET("/credits/manual", s.handleManualCredits)
	a.POST("/credits/manual", s.handleCreateManualCredit, support)
	a.GET("/credits/manual/:id/approve", s.handleConfirmApproveManual, role(auth.Manager))
	a.POST("/credits/manual/:id/approve", s.handleApproveManualCredit, role(auth.Manager))
	a.POST("/credits/manual/:id/reject", s.handleRejectManualCredit, role(auth.Manager))
	a.GET("/credits/settings", s.handleCreditSettings)
	a.POST("/credits/settings", s.handleSetManualThreshold, admin)
	a.POST("/credits/settings/:currency/confirm", s.handleConfirmManualThreshold, role(auth.Manager))
	a.GET("/policies", s.handlePolicies)
	a.POST("/policies", s.handleCreatePolicy, role(auth.Manager))
	a.GET("/policies/:id", s.handlePolicy)
	a.POST("/policies/:id", s.handleUpdatePolicy, role(auth.Manager))
	// The CSV import takes up to 5 MiB, so it is outside the group's 1 MB
	// body limit, with the same checks.
	e.POST("/admin/customers/import", s.handleImport, s.session, middleware.BodyLimit("6M"), s.csrf, s.signedIn, support)

	// The JSON API (package web/api), with bearer tokens.
	h := api.New(api.Deps{Incidents: s.incidents, Desk: s.desk, Reports: s.reports, Publish: s.publish,
		Invalidate: s.pages.invalidate, Now: s.now, Past: !s.cfg.AsOf.IsZero(), BaseURL: s.spBase,
		SiteName: s.cfg.SiteName, Markdown: noticeMarkdown.render, CheckWebhookURL: s.checkWebhookURL})
	v1 := e.Group("/api/v1", s.bearer, gzip)
	v1.GET("/status", h.Status)
	v1.GET("/services", h.ListServices)
	v1.POST("/services", h.CreateService, admin)
	v1.PUT("/services/:id", h.UpdateService, admin)
	v1.GET("/components", h.ListComponents)
	v1.POST("/components", h.CreateComponent, admin)
	v1.PUT("/components/:id", h.UpdateComponent, admin)
	v1.GET("/incidents", h.ListIncidents)
	v1.POST("/incidents", h.CreateIncident, support)
	v1.GET("/incidents/:id", h.GetIncident)
	v1.POST("/incidents/:id/updates", h.PostUpdate, support)
	v1.PATCH("/incidents/:id", h.CorrectIncident, support)
	v1.PATCH("/incidents/:id/updates/:uid", h.CorrectUpdate, support)
	v1.DELETE("/incidents/:id", h.DeleteIncident, admin)
	// Incident templates (web/api/templates.go): support and above.
	v1.GET("/incident-templates", h.ListTemplates, support)
	v1.POST("/incident-templates", h.CreateTemplate, support)
	v1.GET("/incident-templates/:id", h.GetTemplate, support)
	v1.PUT("/incident-templates/:id", h.UpdateTemplate, support)
	v1.DELETE("/incident-templates/:id", h.DeleteTemplate, support)
	v1.GET("/maintenance", h.ListMaintenance)
	v1.POST("/maintenance", h.ScheduleMaintenance, support)
	v1.GET("/maintenance/:id", h.GetMaintenance)
	v1.POST("/maintenance/:id/advance", h.AdvanceMaintenance, support)
	v1.POST("/sla/evaluate", h.EvaluateSLA)

	// The credit desk (web/api/credits.go): viewers read, support keeps
	// customers and previews and requests runs, a manager who is not the
	// requester approves, admins set the manual credit thresholds.
	manager := role(auth.Manager)
	v1.GET("/customers", h.ListCustomers)
	v1.POST("/customers", h.CreateCustomer, support)
	v1.GET("/customers/:customer", h.GetCustomer)
	v1.PUT("/customers/:customer", h.UpdateCustomer, support)
	v1.GET("/customers/:customer/resources", h.ListResources)
	v1.POST("/customers/:customer/resources", h.AddResource, support)
	v1.PUT("/customers/:customer/resources/:id", h.UpdateResource, support)
	v1.GET("/customers/:customer/charges", h.ListCharges)
	v1.POST("/customers/:customer/charges", h.PutCharge, support)
	v1.GET("/customers/:customer/claims", h.ListClaims)
	v1.POST("/customers/:customer/claims", h.RecordClaim, support)
	// The customer's statement link (web/api/statement.go): made anew or revoked by support.
	v1.POST("/customers/:customer/statement-link", h.RotateStatementLink, support)
	v1.DELETE("/customers/:customer/statement-link", h.RevokeStatementLink, support)
	v1.GET("/sla-policies", h.ListPolicies)
	v1.GET("/sla-policies/:id", h.GetPolicy)
	v1.PUT("/sla-policies/:id", h.PutPolicy, manager)
	v1.GET("/incidents/:id/goodwill", h.ListGoodwill)
	v1.POST("/incidents/:id/goodwill", h.RequestGoodwill, support)
	v1.POST("/goodwill/:id/approve", h.ApproveGoodwill, manager)
	v1.POST("/goodwill/:id/withdraw", h.WithdrawGoodwill, support)
	// Personal notices of an incident's affected customers (web/api/notices.go).
	v1.GET("/incidents/:id/notices", h.ListNotices, support)
	v1.POST("/incidents/:id/notices/request", h.RequestNotices, support)
	v1.GET("/notices/:id", h.GetNotices, support)
	v1.POST("/notices/:id/approve", h.ApproveNotices, manager)
	v1.GET("/notice-template", h.GetNoticeTemplate, support)
	v1.PUT("/notice-template", h.PutNoticeTemplate, support)
	v1.POST("/credit-runs", h.PreviewCreditRun, support)
	v1.GET("/credit-runs/:id", h.GetCreditRun)
	v1.POST("/credit-runs/:id/request", h.RequestCreditRun, support)
	v1.POST("/credit-runs/:id/approve", h.ApproveCreditRun, manager)
	v1.POST("/credit-runs/:id/reject", h.RejectCreditRun, manager)
	v1.GET("/ledger", h.Ledger)
	v1.POST("/manual-credits", h.CreateManualCredit, support)
	v1.GET("/manual-credits/:id", h.GetManualCredit)
	v1.POST("/manual-credits/:id/approve", h.ApproveManualCredit, manager)
	v1.POST("/manual-credits/:id/reject", h.RejectManualCredit, manager)
	v1.GET("/credit-settings", h.CreditSettings)
	v1.PUT("/credit-settings/manual-approval-above/:currency", h.SetManualThreshold, admin)
	v1.POST("/credit-settings/manual-approval-above/:currency/confirm", h.ConfirmManualThreshold, manager)
}
