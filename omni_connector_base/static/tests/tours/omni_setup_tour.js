/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const STEP = (key, done) => `.o_omni_setup_step_${key}.o_omni_step_${done ? "done" : "todo"}`;

/**
 * An admin connects a channel: from the overview, open the new backend, start its setup
 * guide, which says what is missing in words and the next step; test the connection from
 * the guide; the guide moves on to the webhook secret.
 * The test running it creates the backend "Tour setup" (test channel, never tested, no
 * webhook secret).
 * While a dialog is open, a step's trigger is looked for inside it (web_tour's findTrigger).
 */
registry.category("web_tour.tours").add("omni_connector_base_setup_tour", {
    test: true,
    url: "/web",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Omnichannel app",
            trigger: '.o_app[data-menu-xmlid="omni_connector_base.menu_omni_root"]',
            run: "click",
        },
        {
            content: "Open the new backend from the overview",
            trigger: '.o_kanban_view .o_omni_backend_card:contains("Tour setup")',
            run: "click",
        },
        {
            content: "Start the setup guide",
            trigger: '.o_form_view .o_statusbar_buttons button:contains("Setup Guide")',
            extra_trigger: ".o_breadcrumb .active:contains('Tour setup')",
            run: "click",
        },
        {
            content: "The guide says the connection is untested, and what to do next",
            trigger: `${STEP("connection", 0)}`,
            extra_trigger: '.modal .o_omni_setup_next:contains("Press Test Connection")',
            isCheck: true,
        },
        {
            content: "The webhook secret is missing, and the guide says where it goes",
            trigger: `${STEP("webhook_secret", 0)}:contains("Webhook Secret")`,
            isCheck: true,
        },
        {
            content: "Test the connection from the guide",
            trigger: '.modal-footer button[name="action_test_connection"]',
            run: "click",
        },
        {
            content: "The connection step is done; the next step is the webhook secret",
            trigger: `${STEP("connection", 1)}:contains("test channel reachable")`,
            extra_trigger: '.modal .o_omni_setup_next:contains("Webhook Secret")',
            isCheck: true,
        },
        {
            content: "Close the guide",
            trigger: '.modal-footer button:contains("Close")',
            run: "click",
        },
        {
            content: "The backend shows it connected",
            trigger: '.o_form_view .o_statusbar_status button.o_arrow_button_current:contains("Connected")',
            extra_trigger: "body:not(:has(.modal))",
            isCheck: true,
        },
    ],
});
