/** @odoo-module **/

import { registry } from "@web/core/registry";
import { CharField, charField } from "@web/views/fields/char/char_field";

/**
 * A status as the channel spells it ("partially_refunded", "in_transit"), shown the way a
 * user reads it ("Partially refunded", "In transit"); the stored value stays the channel's,
 * so searches and the status map keep working on it. Edited as plain text.
 */
export function humanizeStatus(value) {
    const text = (value || "").replace(/[_-]+/g, " ").replace(/\s+/g, " ").trim();
    return text ? text.charAt(0).toUpperCase() + text.slice(1).toLowerCase() : "";
}

export class ChannelStatusField extends CharField {
    get formattedValue() {
        return this.props.readonly ? humanizeStatus(super.formattedValue) : super.formattedValue;
    }
}

registry.category("fields").add("omni_channel_status", {
    ...charField,
    component: ChannelStatusField,
});
