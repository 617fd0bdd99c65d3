/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("omni_connector_base_tour", {
    test: true,
    url: "/web",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Omnichannel app",
            trigger: '.o_app[data-menu-xmlid="omni_connector_base.menu_omni_root"]',
        },
        {
            content: "The overview shows the backends",
            trigger: ".o_kanban_view .o_omni_backend_card",
            isCheck: true,
        },
        {
            content: "Go to the event inbox",
            trigger: '.o_main_navbar [data-menu-xmlid="omni_connector_base.menu_omni_events"]',
        },
        {
            content: "Open the received event",
            trigger: '.o_list_view .o_data_row td[name="external_id"]:contains("TOUR-1")',
        },
        {
            content: "The event form shows its payload and state",
            trigger: '.o_form_view .oe_title:contains("TOUR-1")',
            extra_trigger: '.o_form_view .o_statusbar_status button[data-value="received"].o_arrow_button_current',
            isCheck: true,
        },
    ],
});
