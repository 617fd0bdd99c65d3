/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * Finance's path: Invoicing ▸ Omnichannel ▸ Dashboard, open the exceptions, open one, follow
 * its linked channel order, come back and resolve it.
 * The test running it raises a "missing in Odoo" exception for channel order #TOUR-RECON-1.
 */
registry.category("web_tour.tours").add("omni_reconciliation_tour", {
    test: true,
    url: "/web",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Invoicing / Accounting app",
            trigger: '.o_app[data-menu-xmlid="account.menu_finance"]',
            run: "click",
        },
        {
            content: "Open the Omnichannel menu",
            trigger: '.o_main_navbar [data-menu-xmlid="omni_reconciliation.menu_omni_recon_root"]',
            run: "click",
        },
        {
            content: "Open the dashboard",
            trigger: '.dropdown-item[data-menu-xmlid="omni_reconciliation.menu_omni_recon_dashboard"]',
            run: "click",
        },
        {
            content: "The dashboard shows the open exceptions by type; open them",
            trigger: '.o_form_view .oe_stat_button[name="action_open_exceptions"]:contains("Open Exceptions")',
            extra_trigger: '.o_form_view .o_field_widget[name="type_line_ids"] .o_data_row:contains("Missing in Odoo")',
            run: "click",
        },
        {
            content: "Open the exception of the missing order",
            trigger: '.o_list_view .o_data_row td[name="name"]:contains("TOUR-RECON-1")',
            extra_trigger: ".o_breadcrumb:contains('Reconciliation Exceptions')",
            run: "click",
        },
        {
            content: "Follow the linked channel order",
            trigger: '.o_form_view button[name="action_open_omni_order"]',
            extra_trigger: ".o_breadcrumb:contains('has no sale order')",
            run: "click",
        },
        {
            content: "The channel order opens; go back to the exception",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('has no sale order')",
            extra_trigger: ".o_breadcrumb .active:contains('#TOUR-RECON-1')",
            run: "click",
        },
        {
            content: "Resolve it",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_resolve"]',
            extra_trigger: ".o_breadcrumb .active:contains('has no sale order')",
            run: "click",
        },
        {
            content: "The exception is resolved",
            trigger: '.o_form_view .o_statusbar_status button.o_arrow_button_current:contains("Resolved")',
            isCheck: true,
        },
    ],
});
