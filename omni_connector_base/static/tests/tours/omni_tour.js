/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * Smoke tour of the Omnichannel app: overview, event inbox, event form.
 * The test running it creates a backend and an event (topic "order", external id "TOUR-1").
 */
registry.category("web_tour.tours").add("omni_connector_base_tour", {
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
            content: "The overview shows the backends and their monitoring counters",
            trigger: ".o_kanban_view .o_omni_backend_card",
            isCheck: true,
        },
        {
            content: "Go to the event inbox",
            trigger: '.o_main_navbar [data-menu-xmlid="omni_connector_base.menu_omni_events"]',
            run: "click",
        },
        {
            content: "The inbox opens on every event, no filter hiding what just happened",
            trigger: '.o_list_view .o_data_row td[name="external_id"]:contains("tour_done")',
            extra_trigger: ".o_breadcrumb:contains('Events')",
            isCheck: true,
        },
        {
            content: "Open the received event",
            trigger: '.o_list_view .o_data_row td[name="external_id"]:contains("TOUR-1")',
            extra_trigger: ".o_list_view:not(:has(.o_searchview_facet))",
            run: "click",
        },
        {
            content: "The event form shows the event",
            trigger: '.o_form_view .o_field_widget[name="external_id"]:contains("TOUR-1")',
            extra_trigger: '.o_form_view .o_field_widget[name="topic"]:contains("order")',
            isCheck: true,
        },
    ],
});
