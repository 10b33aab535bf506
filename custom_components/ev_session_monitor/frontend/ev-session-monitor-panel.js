var q=globalThis,V=q.ShadowRoot&&(q.ShadyCSS===void 0||q.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,rt=Symbol(),St=new WeakMap,O=class{constructor(t,e,s){if(this._$cssResult$=!0,s!==rt)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o,e=this.t;if(V&&t===void 0){let s=e!==void 0&&e.length===1;s&&(t=St.get(e)),t===void 0&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),s&&St.set(e,t))}return t}toString(){return this.cssText}},Et=r=>new O(typeof r=="string"?r:r+"",void 0,rt),$=(r,...t)=>{let e=r.length===1?r[0]:t.reduce((s,i,o)=>s+(d=>{if(d._$cssResult$===!0)return d.cssText;if(typeof d=="number")return d;throw Error("Value passed to 'css' function must be a 'css' function result: "+d+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+r[o+1],r[0]);return new O(e,r,rt)},kt=(r,t)=>{if(V)r.adoptedStyleSheets=t.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of t){let s=document.createElement("style"),i=q.litNonce;i!==void 0&&s.setAttribute("nonce",i),s.textContent=e.cssText,r.appendChild(s)}},it=V?r=>r:r=>r instanceof CSSStyleSheet?(t=>{let e="";for(let s of t.cssRules)e+=s.cssText;return Et(e)})(r):r;var{is:Qt,defineProperty:Xt,getOwnPropertyDescriptor:te,getOwnPropertyNames:ee,getOwnPropertySymbols:se,getPrototypeOf:re}=Object,J=globalThis,Ct=J.trustedTypes,ie=Ct?Ct.emptyScript:"",ae=J.reactiveElementPolyfillSupport,D=(r,t)=>r,at={toAttribute(r,t){switch(t){case Boolean:r=r?ie:null;break;case Object:case Array:r=r==null?r:JSON.stringify(r)}return r},fromAttribute(r,t){let e=r;switch(t){case Boolean:e=r!==null;break;case Number:e=r===null?null:Number(r);break;case Object:case Array:try{e=JSON.parse(r)}catch{e=null}}return e}},Pt=(r,t)=>!Qt(r,t),Tt={attribute:!0,type:String,converter:at,reflect:!1,useDefault:!1,hasChanged:Pt};Symbol.metadata??=Symbol("metadata"),J.litPropertyMetadata??=new WeakMap;var A=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=Tt){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){let s=Symbol(),i=this.getPropertyDescriptor(t,s,e);i!==void 0&&Xt(this.prototype,t,i)}}static getPropertyDescriptor(t,e,s){let{get:i,set:o}=te(this.prototype,t)??{get(){return this[e]},set(d){this[e]=d}};return{get:i,set(d){let p=i?.call(this);o?.call(this,d),this.requestUpdate(t,p,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??Tt}static _$Ei(){if(this.hasOwnProperty(D("elementProperties")))return;let t=re(this);t.finalize(),t.l!==void 0&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(D("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(D("properties"))){let e=this.properties,s=[...ee(e),...se(e)];for(let i of s)this.createProperty(i,e[i])}let t=this[Symbol.metadata];if(t!==null){let e=litPropertyMetadata.get(t);if(e!==void 0)for(let[s,i]of e)this.elementProperties.set(s,i)}this._$Eh=new Map;for(let[e,s]of this.elementProperties){let i=this._$Eu(e,s);i!==void 0&&this._$Eh.set(i,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){let e=[];if(Array.isArray(t)){let s=new Set(t.flat(1/0).reverse());for(let i of s)e.unshift(it(i))}else t!==void 0&&e.push(it(t));return e}static _$Eu(t,e){let s=e.attribute;return s===!1?void 0:typeof s=="string"?s:typeof t=="string"?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??=new Set).add(t),this.renderRoot!==void 0&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){let t=new Map,e=this.constructor.elementProperties;for(let s of e.keys())this.hasOwnProperty(s)&&(t.set(s,this[s]),delete this[s]);t.size>0&&(this._$Ep=t)}createRenderRoot(){let t=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return kt(t,this.constructor.elementStyles),t}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,s){this._$AK(t,s)}_$ET(t,e){let s=this.constructor.elementProperties.get(t),i=this.constructor._$Eu(t,s);if(i!==void 0&&s.reflect===!0){let o=(s.converter?.toAttribute!==void 0?s.converter:at).toAttribute(e,s.type);this._$Em=t,o==null?this.removeAttribute(i):this.setAttribute(i,o),this._$Em=null}}_$AK(t,e){let s=this.constructor,i=s._$Eh.get(t);if(i!==void 0&&this._$Em!==i){let o=s.getPropertyOptions(i),d=typeof o.converter=="function"?{fromAttribute:o.converter}:o.converter?.fromAttribute!==void 0?o.converter:at;this._$Em=i;let p=d.fromAttribute(e,o.type);this[i]=p??this._$Ej?.get(i)??p,this._$Em=null}}requestUpdate(t,e,s,i=!1,o){if(t!==void 0){let d=this.constructor;if(i===!1&&(o=this[t]),s??=d.getPropertyOptions(t),!((s.hasChanged??Pt)(o,e)||s.useDefault&&s.reflect&&o===this._$Ej?.get(t)&&!this.hasAttribute(d._$Eu(t,s))))return;this.C(t,e,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(t,e,{useDefault:s,reflect:i,wrapped:o},d){s&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,d??e??this[t]),o!==!0||d!==void 0)||(this._$AL.has(t)||(this.hasUpdated||s||(e=void 0),this._$AL.set(t,e)),i===!0&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let t=this.scheduleUpdate();return t!=null&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,o]of this._$Ep)this[i]=o;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[i,o]of s){let{wrapped:d}=o,p=this[i];d!==!0||this._$AL.has(i)||p===void 0||this.C(i,void 0,o,p)}}let t=!1,e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(e)):this._$EM()}catch(s){throw t=!1,this._$EM(),s}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(t){}firstUpdated(t){}};A.elementStyles=[],A.shadowRootOptions={mode:"open"},A[D("elementProperties")]=new Map,A[D("finalized")]=new Map,ae?.({ReactiveElement:A}),(J.reactiveElementVersions??=[]).push("2.1.2");var pt=globalThis,Mt=r=>r,Y=pt.trustedTypes,Ht=Y?Y.createPolicy("lit-html",{createHTML:r=>r}):void 0,Dt="$lit$",k=`lit$${Math.random().toFixed(9).slice(2)}$`,It="?"+k,oe=`<${It}>`,H=document,z=()=>H.createComment(""),W=r=>r===null||typeof r!="object"&&typeof r!="function",ut=Array.isArray,ne=r=>ut(r)||typeof r?.[Symbol.iterator]=="function",ot=`[ 	
\f\r]`,I=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,Ut=/-->/g,Nt=/>/g,P=RegExp(`>|${ot}(?:([^\\s"'>=/]+)(${ot}*=${ot}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),Rt=/'/g,Lt=/"/g,zt=/^(?:script|style|textarea|title)$/i,mt=r=>(t,...e)=>({_$litType$:r,strings:t,values:e}),n=mt(1),gt=mt(2),fe=mt(3),U=Symbol.for("lit-noChange"),c=Symbol.for("lit-nothing"),Ot=new WeakMap,M=H.createTreeWalker(H,129);function Wt(r,t){if(!ut(r)||!r.hasOwnProperty("raw"))throw Error("invalid template strings array");return Ht!==void 0?Ht.createHTML(t):t}var de=(r,t)=>{let e=r.length-1,s=[],i,o=t===2?"<svg>":t===3?"<math>":"",d=I;for(let p=0;p<e;p++){let l=r[p],m,u,h=-1,f=0;for(;f<l.length&&(d.lastIndex=f,u=d.exec(l),u!==null);)f=d.lastIndex,d===I?u[1]==="!--"?d=Ut:u[1]!==void 0?d=Nt:u[2]!==void 0?(zt.test(u[2])&&(i=RegExp("</"+u[2],"g")),d=P):u[3]!==void 0&&(d=P):d===P?u[0]===">"?(d=i??I,h=-1):u[1]===void 0?h=-2:(h=d.lastIndex-u[2].length,m=u[1],d=u[3]===void 0?P:u[3]==='"'?Lt:Rt):d===Lt||d===Rt?d=P:d===Ut||d===Nt?d=I:(d=P,i=void 0);let _=d===P&&r[p+1].startsWith("/>")?" ":"";o+=d===I?l+oe:h>=0?(s.push(m),l.slice(0,h)+Dt+l.slice(h)+k+_):l+k+(h===-2?p:_)}return[Wt(r,o+(r[e]||"<?>")+(t===2?"</svg>":t===3?"</math>":"")),s]},F=class r{constructor({strings:t,_$litType$:e},s){let i;this.parts=[];let o=0,d=0,p=t.length-1,l=this.parts,[m,u]=de(t,e);if(this.el=r.createElement(m,s),M.currentNode=this.el.content,e===2||e===3){let h=this.el.content.firstChild;h.replaceWith(...h.childNodes)}for(;(i=M.nextNode())!==null&&l.length<p;){if(i.nodeType===1){if(i.hasAttributes())for(let h of i.getAttributeNames())if(h.endsWith(Dt)){let f=u[d++],_=i.getAttribute(h).split(k),T=/([.?@])?(.*)/.exec(f);l.push({type:1,index:o,name:T[2],strings:_,ctor:T[1]==="."?dt:T[1]==="?"?lt:T[1]==="@"?ct:L}),i.removeAttribute(h)}else h.startsWith(k)&&(l.push({type:6,index:o}),i.removeAttribute(h));if(zt.test(i.tagName)){let h=i.textContent.split(k),f=h.length-1;if(f>0){i.textContent=Y?Y.emptyScript:"";for(let _=0;_<f;_++)i.append(h[_],z()),M.nextNode(),l.push({type:2,index:++o});i.append(h[f],z())}}}else if(i.nodeType===8)if(i.data===It)l.push({type:2,index:o});else{let h=-1;for(;(h=i.data.indexOf(k,h+1))!==-1;)l.push({type:7,index:o}),h+=k.length-1}o++}}static createElement(t,e){let s=H.createElement("template");return s.innerHTML=t,s}};function R(r,t,e=r,s){if(t===U)return t;let i=s!==void 0?e._$Co?.[s]:e._$Cl,o=W(t)?void 0:t._$litDirective$;return i?.constructor!==o&&(i?._$AO?.(!1),o===void 0?i=void 0:(i=new o(r),i._$AT(r,e,s)),s!==void 0?(e._$Co??=[])[s]=i:e._$Cl=i),i!==void 0&&(t=R(r,i._$AS(r,t.values),i,s)),t}var nt=class{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){let{el:{content:e},parts:s}=this._$AD,i=(t?.creationScope??H).importNode(e,!0);M.currentNode=i;let o=M.nextNode(),d=0,p=0,l=s[0];for(;l!==void 0;){if(d===l.index){let m;l.type===2?m=new j(o,o.nextSibling,this,t):l.type===1?m=new l.ctor(o,l.name,l.strings,this,t):l.type===6&&(m=new ht(o,this,t)),this._$AV.push(m),l=s[++p]}d!==l?.index&&(o=M.nextNode(),d++)}return M.currentNode=H,i}p(t){let e=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(t,s,e),e+=s.strings.length-2):s._$AI(t[e])),e++}},j=class r{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,s,i){this.type=2,this._$AH=c,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=s,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode,e=this._$AM;return e!==void 0&&t?.nodeType===11&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=R(this,t,e),W(t)?t===c||t==null||t===""?(this._$AH!==c&&this._$AR(),this._$AH=c):t!==this._$AH&&t!==U&&this._(t):t._$litType$!==void 0?this.$(t):t.nodeType!==void 0?this.T(t):ne(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==c&&W(this._$AH)?this._$AA.nextSibling.data=t:this.T(H.createTextNode(t)),this._$AH=t}$(t){let{values:e,_$litType$:s}=t,i=typeof s=="number"?this._$AC(t):(s.el===void 0&&(s.el=F.createElement(Wt(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===i)this._$AH.p(e);else{let o=new nt(i,this),d=o.u(this.options);o.p(e),this.T(d),this._$AH=o}}_$AC(t){let e=Ot.get(t.strings);return e===void 0&&Ot.set(t.strings,e=new F(t)),e}k(t){ut(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,s,i=0;for(let o of t)i===e.length?e.push(s=new r(this.O(z()),this.O(z()),this,this.options)):s=e[i],s._$AI(o),i++;i<e.length&&(this._$AR(s&&s._$AB.nextSibling,i),e.length=i)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){let s=Mt(t).nextSibling;Mt(t).remove(),t=s}}setConnected(t){this._$AM===void 0&&(this._$Cv=t,this._$AP?.(t))}},L=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,s,i,o){this.type=1,this._$AH=c,this._$AN=void 0,this.element=t,this.name=e,this._$AM=i,this.options=o,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=c}_$AI(t,e=this,s,i){let o=this.strings,d=!1;if(o===void 0)t=R(this,t,e,0),d=!W(t)||t!==this._$AH&&t!==U,d&&(this._$AH=t);else{let p=t,l,m;for(t=o[0],l=0;l<o.length-1;l++)m=R(this,p[s+l],e,l),m===U&&(m=this._$AH[l]),d||=!W(m)||m!==this._$AH[l],m===c?t=c:t!==c&&(t+=(m??"")+o[l+1]),this._$AH[l]=m}d&&!i&&this.j(t)}j(t){t===c?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}},dt=class extends L{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===c?void 0:t}},lt=class extends L{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==c)}},ct=class extends L{constructor(t,e,s,i,o){super(t,e,s,i,o),this.type=5}_$AI(t,e=this){if((t=R(this,t,e,0)??c)===U)return;let s=this._$AH,i=t===c&&s!==c||t.capture!==s.capture||t.once!==s.once||t.passive!==s.passive,o=t!==c&&(s===c||i);i&&this.element.removeEventListener(this.name,this,s),o&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}},ht=class{constructor(t,e,s){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(t){R(this,t)}};var le=pt.litHtmlPolyfillSupport;le?.(F,j),(pt.litHtmlVersions??=[]).push("3.3.3");var Ft=(r,t,e)=>{let s=e?.renderBefore??t,i=s._$litPart$;if(i===void 0){let o=e?.renderBefore??null;s._$litPart$=i=new j(t.insertBefore(z(),o),o,void 0,e??{})}return i._$AI(r),i};var ft=globalThis,g=class extends A{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let t=super.createRenderRoot();return this.renderOptions.renderBefore??=t.firstChild,t}update(t){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=Ft(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return U}};g._$litElement$=!0,g.finalized=!0,ft.litElementHydrateSupport?.({LitElement:g});var ce=ft.litElementPolyfillSupport;ce?.({LitElement:g});(ft.litElementVersions??=[]).push("4.2.2");function Z(r){return r.locale?.language??r.language??navigator.language}function C(r,t){return t==null?"—":new Intl.NumberFormat(Z(r),{minimumFractionDigits:2,maximumFractionDigits:2}).format(t/1e3)}function K(r,t){return t==null?"—":`${new Intl.NumberFormat(Z(r),{maximumFractionDigits:1}).format(t/1e3)} kW`}function S(r,t,e){if(t===null)return"—";try{return new Intl.NumberFormat(Z(r),{style:"currency",currency:e||"EUR"}).format(t)}catch{return`${t.toFixed(2)} ${e??""}`.trim()}}function w(r,t){return t?new Intl.DateTimeFormat(Z(r),{dateStyle:"short",timeStyle:"short"}).format(new Date(t)):"—"}function E(r){if(r==null)return"—";let t=Math.max(0,Math.round(r/60)),e=Math.floor(t/60),s=t%60;return`${e}:${String(s).padStart(2,"0")} h`}function jt(r){let t=e=>String(e).padStart(2,"0");return`${r.getFullYear()}-${t(r.getMonth()+1)}-${t(r.getDate())}`}function G(r){return new Date(`${r}T00:00:00`).toISOString()}function Kt(r){let t=new Date(`${r}T00:00:00`);return t.setDate(t.getDate()+1),t.toISOString()}function b(r){return r&&typeof r=="object"&&"message"in r?String(r.message):String(r)}var v=$`
  :host {
    display: block;
    color: var(--primary-text-color);
    font-family: var(--ha-font-family-body, var(--paper-font-body1_-_font-family, sans-serif));
  }
  .card {
    background: var(--ha-card-background, var(--card-background-color, #fff));
    border-radius: var(--ha-card-border-radius, 12px);
    border: 1px solid var(--divider-color, #e0e0e0);
    padding: 16px;
    box-sizing: border-box;
  }
  h2 {
    font-size: 1.1em;
    margin: 0 0 12px;
    font-weight: 500;
  }
  button {
    font: inherit;
    color: var(--text-primary-color, #fff);
    background: var(--primary-color);
    border: none;
    border-radius: 6px;
    padding: 8px 12px;
    cursor: pointer;
    min-height: 36px;
  }
  button.secondary {
    color: var(--primary-color);
    background: transparent;
    border: 1px solid var(--primary-color);
  }
  button.danger {
    background: var(--error-color, #db4437);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  input,
  select {
    font: inherit;
    color: var(--primary-text-color);
    background: var(--input-fill-color, var(--secondary-background-color, #f5f5f5));
    border: 1px solid var(--divider-color, #ccc);
    border-radius: 6px;
    padding: 6px 8px;
    min-height: 36px;
    box-sizing: border-box;
    max-width: 100%;
  }
  label {
    display: flex;
    flex-direction: column;
    gap: 4px;
    font-size: 0.85em;
    color: var(--secondary-text-color);
  }
  .filters {
    display: flex;
    flex-wrap: wrap;
    gap: 8px 12px;
    align-items: flex-end;
    margin-bottom: 12px;
  }
  .table-wrap {
    overflow-x: auto;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.9em;
  }
  th,
  td {
    text-align: left;
    padding: 8px 6px;
    border-bottom: 1px solid var(--divider-color, #e0e0e0);
    white-space: nowrap;
  }
  th button.sort {
    background: none;
    color: inherit;
    padding: 0;
    min-height: 0;
    font-weight: 600;
  }
  td.num,
  th.num {
    text-align: right;
  }
  tr.row {
    cursor: pointer;
  }
  tr.row:hover {
    background: var(--secondary-background-color, #f5f5f5);
  }
  .error {
    color: var(--error-color, #db4437);
    margin: 8px 0;
  }
  .muted {
    color: var(--secondary-text-color);
  }
  .actions {
    display: flex;
    gap: 8px;
    flex-wrap: wrap;
    align-items: center;
  }
`;var Q={title:"Charging",tab_now:"Now",tab_sessions:"Sessions",tab_reports:"Reports",tab_cards:"Cards",menu:"Menu",loading:"Loading …",error:"Something went wrong: {message}",err_unauthorized:"You are not allowed to do this.",err_invalid_tag:"This is not a card id: 4 to 40 letters A–Z or digits (':', '-', '.' and spaces are ignored).",err_duplicate_tag:"This card is already known.",err_not_found:"Not found; it may have been removed meanwhile.",now_empty:"No wallbox is set up yet.",now_unavailable:"Not reachable",now_power:"Power",now_energy:"Session energy",now_cost:"Cost",now_duration:"Duration",now_time_to_full:"Time to full",now_who:"Charging",now_nobody:"—",now_no_session:"No session",now_enabled:"Charging allowed",now_current:"Current",now_set:"Set",now_start:"Allow charging",now_stop:"Stop charging",status_idle:"No vehicle",status_connected:"Connected",status_waiting_for_authorization:"Waiting for a card",status_charging:"Charging",status_suspended_ev:"Paused by the vehicle",status_suspended_charger:"Paused by the wallbox",status_finished:"Finished",status_error:"Error",status_unknown:"Unknown",filter_wallbox:"Wallbox",filter_tag:"Card",filter_person:"Person",filter_from:"From",filter_to:"To",filter_all:"All",col_start:"Start",col_end:"End",col_wallbox:"Wallbox",col_tag:"Card",col_energy:"Energy (kWh)",col_cost:"Cost",col_charging:"Charging time",col_sessions:"Sessions",col_month:"Month",sessions_empty:"No session matches.",sessions_range:"{from}–{to} of {total}",previous:"Previous",next:"Next",download_csv:"Download CSV",detail_title:"Session {id}",detail_energy_source:"Energy source",detail_gaps:"Polling gaps",detail_unpriced:"Energy without a price",detail_unseen:"Time no counter could measure",detail_estimated_end:"End estimated between {from} and {to}",detail_end_measured:"End measured",detail_avg_power:"Average power",detail_peak_power:"Peak power",detail_close:"Close",source_meter:"Lifetime meter",source_session_counter:"Session counter of the box",source_power:"Power × time (no counter)",source_mixed:"Mixed",reports_by_tag:"Per card and month",reports_by_wallbox:"Per wallbox and month",reports_chart:"Monthly energy and cost per card",reports_energy:"Energy",reports_cost:"Cost",reports_empty:"No session in this period.",untagged:"Without card",cards_known:"Known cards",cards_attempts:"Unknown cards presented",cards_id:"Card id",cards_name:"Name",cards_owner:"Owner",cards_price:"Price per kWh",cards_price_field:"Price ({currency}/kWh)",cards_wallboxes:"Allowed wallboxes (none: all)",cards_person:"Person who sees its sessions",cards_none:"No person",cards_add:"Add card",cards_save:"Save",cards_edit:"Change",cards_remove:"Remove",cards_cancel:"Cancel",cards_confirm_remove:"Remove the card {name}? Its past sessions keep their name.",cards_empty:"No card is known yet.",cards_attempts_empty:"No unknown card was presented.",cards_time:"Time",cards_admit:"Admit this card",cards_admitted:"Admitted",cards_pseudonym:"Hidden id (privacy option): present the card again with the option off to admit it",cards_attempt_count:"Attempts in window",cards_admin_only:"Only administrators can see and change the cards.",all_wallboxes:"All wallboxes"};function a(r,t={}){return Q[r].replace(/\{(\w+)\}/g,(e,s)=>s in t?String(t[s]):e)}function X(r,t){return r in Q?Q[r]:t}var _t=class extends g{static{this.properties={hass:{attribute:!1},admin:{type:Boolean},tiles:{state:!0},error:{state:!0}}}connectedCallback(){super.connectedCallback(),this.unsubscribe=this.hass.connection.subscribeMessage(t=>{this.tiles=t.wallboxes},{type:"ev_session_monitor/wallboxes/subscribe"}),this.unsubscribe.catch(t=>this.error=b(t))}disconnectedCallback(){super.disconnectedCallback(),this.unsubscribe?.then(t=>t()).catch(()=>{}),this.unsubscribe=void 0}async control(t,e){this.error=void 0;try{await this.hass.callWS({type:"ev_session_monitor/wallboxes/control",entry_id:t.entry_id,...e})}catch(s){this.error=b(s)}}controls(t){return!this.admin||!t.enable&&!t.current?c:n`<div class="controls">
      ${t.enable?n`<button
            class=${t.enable.on===!1?"":"secondary"}
            @click=${()=>this.control(t,{enabled:t.enable?.on===!1})}
          >
            ${t.enable.on===!1?a("now_start"):a("now_stop")}
          </button>`:c}
      ${t.current?n`<label class="current"
            >${a("now_current")} (${t.current.min}–${t.current.max} A)
            <span class="actions">
              <input
                type="number"
                min=${t.current.min}
                max=${t.current.max}
                step="1"
                .value=${String(t.current.value??t.current.max)}
                @change=${e=>this.control(t,{current_a:Number(e.target.value)})}
              />
              A
            </span>
          </label>`:c}
    </div>`}tile(t){let e=t.session,s=t.available?X(`status_${t.status??"unknown"}`,t.status??a("status_unknown")):a("now_unavailable");return n`<section class="card tile" data-entry=${t.entry_id}>
      <div class="head">
        <h2>${t.title}</h2>
        <span class="status status-${t.status??"unknown"}">${s}</span>
      </div>
      <dl>
        <dt>${a("now_power")}</dt>
        <dd class="power">${K(this.hass,t.power_w)}</dd>
        <dt>${a("now_who")}</dt>
        <dd class="who">${t.who??a("now_nobody")}</dd>
        <dt>${a("now_energy")}</dt>
        <dd>${e?`${C(this.hass,e.energy_wh)} kWh`:a("now_no_session")}</dd>
        <dt>${a("now_cost")}</dt>
        <dd>${e?S(this.hass,e.cost,e.currency):"—"}</dd>
        <dt>${a("now_duration")}</dt>
        <dd title=${e?w(this.hass,e.started_at):""}>
          ${e?E(e.duration_s):"—"}
        </dd>
        <dt>${a("now_time_to_full")}</dt>
        <dd>${E(t.time_to_full_s)}</dd>
      </dl>
      ${this.controls(t)}
    </section>`}render(){return this.error?n`<p class="error">${a("error",{message:this.error})}</p>`:this.tiles?this.tiles.length?n`<div class="grid">${this.tiles.map(t=>this.tile(t))}</div>`:n`<p class="muted">${a("now_empty")}</p>`:n`<p class="muted">${a("loading")}</p>`}static{this.styles=[v,$`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(280px, 1fr));
        gap: 16px;
      }
      .head {
        display: flex;
        justify-content: space-between;
        align-items: baseline;
        gap: 8px;
      }
      .status {
        font-size: 0.85em;
        padding: 2px 8px;
        border-radius: 10px;
        background: var(--secondary-background-color, #eee);
      }
      .status-charging {
        background: var(--success-color, #43a047);
        color: var(--text-primary-color, #fff);
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 6px 12px;
        margin: 8px 0 12px;
      }
      dt {
        color: var(--secondary-text-color);
      }
      dd {
        margin: 0;
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      .controls {
        display: flex;
        flex-wrap: wrap;
        gap: 12px;
        align-items: flex-end;
        justify-content: space-between;
      }
      .current input {
        width: 80px;
      }
    `]}};customElements.define("ev-now-view",_t);function tt(r){let t=new URLSearchParams;for(let e of r.config_entry_id??[])t.append("config_entry_id",e);for(let e of r.tag_id??[])t.append("tag_id",e);return r.person&&t.set("person",r.person),r.start&&t.set("start",r.start),r.end&&t.set("end",r.end),t}async function et(r,t,e){let s=await fetch(`/api/ev_session_monitor/download/${t}?${e}`,{headers:{Authorization:`Bearer ${r.auth.data.access_token}`}});if(!s.ok){let l=await s.json().catch(()=>({message:s.statusText}));throw new Error(l.message??s.statusText)}let i=s.headers.get("Content-Disposition")??"",o=/filename="([^"]+)"/.exec(i)?.[1]??`ev-${t}.csv`,d=URL.createObjectURL(await s.blob()),p=document.createElement("a");p.href=d,p.download=o,document.body.append(p),p.click(),p.remove(),setTimeout(()=>URL.revokeObjectURL(d),1e4)}var $t=class extends g{constructor(){super();this.wallbox="";this.tag="";this.person="";this.from="",this.to=""}static{this.properties={info:{attribute:!1},from:{type:String},to:{type:String}}}get filters(){let e={};return this.wallbox&&(e.config_entry_id=[this.wallbox]),this.tag&&(e.tag_id=[this.tag]),this.person&&(e.person=this.person),this.from&&(e.start=G(this.from)),this.to&&(e.end=Kt(this.to)),e}changed(e,s){this[e]=s.target.value,this.dispatchEvent(new CustomEvent("filters-changed",{detail:this.filters}))}render(){let e=this.info;return n`<div class="filters">
      <label
        >${a("filter_wallbox")}
        <select name="wallbox" @change=${s=>this.changed("wallbox",s)}>
          <option value="">${a("filter_all")}</option>
          ${e.wallboxes.map(s=>n`<option value=${s.entry_id}>${s.title}</option>`)}
        </select>
      </label>
      <label
        >${a("filter_tag")}
        <select name="tag" @change=${s=>this.changed("tag",s)}>
          <option value="">${a("filter_all")}</option>
          ${e.tags.map(s=>n`<option value=${s.tag_id}>${s.name}</option>`)}
        </select>
      </label>
      ${e.admin&&e.persons.length?n`<label
            >${a("filter_person")}
            <select name="person" @change=${s=>this.changed("person",s)}>
              <option value="">${a("filter_all")}</option>
              ${e.persons.map(s=>n`<option value=${s.entity_id}>${s.name}</option>`)}
            </select>
          </label>`:c}
      <label
        >${a("filter_from")}
        <input
          type="date"
          name="from"
          .value=${this.from}
          @change=${s=>this.changed("from",s)}
        />
      </label>
      <label
        >${a("filter_to")}
        <input type="date" name="to" .value=${this.to} @change=${s=>this.changed("to",s)} />
      </label>
      <slot></slot>
    </div>`}static{this.styles=[v]}};customElements.define("ev-filter-bar",$t);var bt=50,yt=class extends g{constructor(){super();this.filters={};this.request=0;this.total=0,this.offset=0,this.sort="started_at",this.descending=!0}static{this.properties={hass:{attribute:!1},info:{attribute:!1},sessions:{state:!0},total:{state:!0},offset:{state:!0},sort:{state:!0},descending:{state:!0},selected:{state:!0},error:{state:!0}}}connectedCallback(){super.connectedCallback(),this.load()}async load(){let e=++this.request;this.error=void 0;try{let s=await this.hass.callWS({type:"ev_session_monitor/sessions",...this.filters,offset:this.offset,limit:bt,sort:this.sort,descending:this.descending});if(e!==this.request)return;this.sessions=s.sessions,this.total=s.total}catch(s){this.error=b(s)}}filtersChanged(e){this.filters=e.detail,this.offset=0,this.load()}sortBy(e){this.descending=this.sort===e?!this.descending:e==="started_at",this.sort=e,this.offset=0,this.load()}page(e){this.offset=Math.max(0,this.offset+e*bt),this.load()}async download(){let e=tt(this.filters);e.set("sort",this.sort),e.set("descending",String(this.descending));try{await et(this.hass,"sessions",e)}catch(s){this.error=b(s)}}header(e,s,i=!1){let o=this.sort===e?this.descending?" ▼":" ▲":"";return n`<th class=${i?"num":""}>
      <button class="sort" data-sort=${e} @click=${()=>this.sortBy(e)}>
        ${a(s)}${o}
      </button>
    </th>`}detail(e){let s=e.end_latest?a("detail_estimated_end",{from:w(this.hass,e.ended_at),to:w(this.hass,e.end_latest)}):a("detail_end_measured");return n`<div class="overlay" @click=${()=>this.selected=void 0}>
      <section class="card detail" @click=${i=>i.stopPropagation()}>
        <h2>${a("detail_title",{id:e.session_id.slice(0,8)})}</h2>
        <dl>
          <dt>${a("col_wallbox")}</dt>
          <dd>${e.charger_name}</dd>
          <dt>${a("col_tag")}</dt>
          <dd>${e.tag_name??e.tag_id??a("untagged")}</dd>
          <dt>${a("col_start")}</dt>
          <dd>${w(this.hass,e.started_at)}</dd>
          <dt>${a("col_end")}</dt>
          <dd>${w(this.hass,e.ended_at)}</dd>
          <dt></dt>
          <dd class="estimated">${s}</dd>
          <dt>${a("col_energy")}</dt>
          <dd>${C(this.hass,e.energy_wh)}</dd>
          <dt>${a("col_cost")}</dt>
          <dd>${S(this.hass,e.cost,e.currency)}</dd>
          <dt>${a("col_charging")}</dt>
          <dd>${E(e.charging_s)}</dd>
          <dt>${a("detail_avg_power")}</dt>
          <dd>${K(this.hass,e.avg_power_w)}</dd>
          <dt>${a("detail_peak_power")}</dt>
          <dd>${K(this.hass,e.peak_power_w)}</dd>
          <dt>${a("detail_energy_source")}</dt>
          <dd class="source">
            ${X(`source_${e.energy_source}`,e.energy_source)}
          </dd>
          <dt>${a("detail_gaps")}</dt>
          <dd class="gaps">${e.gaps}</dd>
          <dt>${a("detail_unpriced")}</dt>
          <dd class="unpriced">${C(this.hass,e.unpriced_wh)}</dd>
          <dt>${a("detail_unseen")}</dt>
          <dd class="unseen">${E(e.unseen_s)}</dd>
        </dl>
        <button @click=${()=>this.selected=void 0}>${a("detail_close")}</button>
      </section>
    </div>`}render(){let e=this.sessions,s=Math.min(this.offset+bt,this.total);return n`
      <ev-filter-bar .info=${this.info} @filters-changed=${this.filtersChanged}>
        <button class="secondary download" @click=${this.download}>${a("download_csv")}</button>
      </ev-filter-bar>
      ${this.error?n`<p class="error">${a("error",{message:this.error})}</p>`:c}
      ${e===void 0?n`<p class="muted">${a("loading")}</p>`:n`<div class="card table-wrap">
              <table>
                <thead>
                  <tr>
                    ${this.header("started_at","col_start")}
                    ${this.header("charger_name","col_wallbox")} ${this.header("tag_name","col_tag")}
                    ${this.header("energy_wh","col_energy",!0)}
                    ${this.header("cost","col_cost",!0)}
                    ${this.header("charging_s","col_charging",!0)}
                  </tr>
                </thead>
                <tbody>
                  ${e.map(i=>n`<tr class="row" data-id=${i.session_id} @click=${()=>this.selected=i}>
                      <td>${w(this.hass,i.started_at)}</td>
                      <td>${i.charger_name}</td>
                      <td>${i.tag_name??i.tag_id??a("untagged")}</td>
                      <td class="num">${C(this.hass,i.energy_wh)}</td>
                      <td class="num">${S(this.hass,i.cost,i.currency)}</td>
                      <td class="num">${E(i.charging_s)}</td>
                    </tr>`)}
                </tbody>
              </table>
              ${e.length?c:n`<p class="muted">${a("sessions_empty")}</p>`}
            </div>
            <div class="pager actions">
              <button class="secondary" ?disabled=${this.offset===0} @click=${()=>this.page(-1)}>
                ${a("previous")}
              </button>
              <span class="range"
                >${a("sessions_range",{from:this.total?this.offset+1:0,to:s,total:this.total})}</span
              >
              <button class="secondary" ?disabled=${s>=this.total} @click=${()=>this.page(1)}>
                ${a("next")}
              </button>
            </div>`}
      ${this.selected?this.detail(this.selected):c}
    `}static{this.styles=[v,$`
      .pager {
        margin-top: 12px;
        justify-content: center;
      }
      .overlay {
        position: fixed;
        inset: 0;
        background: rgba(0, 0, 0, 0.4);
        display: flex;
        align-items: center;
        justify-content: center;
        z-index: 10;
        padding: 16px;
      }
      .detail {
        max-width: 480px;
        width: 100%;
        max-height: 90vh;
        overflow: auto;
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 6px 12px;
      }
      dt {
        color: var(--secondary-text-color);
      }
      dd {
        margin: 0;
      }
    `]}};customElements.define("ev-sessions-view",yt);var st=["#03a9f4","#ff9800","#8bc34a","#e91e63","#9c27b0","#009688","#795548","#607d8b"],vt=class extends g{static{this.properties={hass:{attribute:!1},info:{attribute:!1},totals:{state:!0},error:{state:!0}}}constructor(){super();let t=new Date;t.setMonth(t.getMonth()-11,1),this.from=jt(t),this.filters={start:G(this.from)}}connectedCallback(){super.connectedCallback(),this.load()}async load(){this.error=void 0;try{this.totals=await this.hass.callWS({type:"ev_session_monitor/totals",...this.filters})}catch(t){this.error=b(t)}}filtersChanged(t){this.filters=t.detail,this.load()}async download(){try{await et(this.hass,"totals",tt(this.filters))}catch(t){this.error=b(t)}}tagLabel(t){return t.tag_name??t.tag_id??a("untagged")}chart(t,e,s,i){let o=[...new Set(e.map(y=>y.month))].sort(),d=[...new Set(e.map(y=>this.tagLabel(y)))],p=o.map(y=>e.filter(x=>x.month===y).reduce((x,B)=>x+s(B),0)),l=Math.max(...p,0)||1,m=600,u=200,h=44,f=22,_=(m-h)/Math.max(o.length,1),T=Math.min(_*.7,48),Jt=(u-f-8)/l,Yt=o.flatMap((y,x)=>{let B=u-f;return e.filter(N=>N.month===y).map(N=>{let At=s(N)*Jt;B-=At;let Gt=st[d.indexOf(this.tagLabel(N))%st.length];return gt`<rect x=${h+x*_+(_-T)/2} y=${B} width=${T}
            height=${Math.max(At,0)} fill=${Gt}><title>${this.tagLabel(N)} ${y}: ${s(N).toFixed(2)} ${i}</title></rect>`})}),Zt=o.map((y,x)=>gt`<text x=${h+x*_+_/2} y=${u-6}
        text-anchor="middle" class="axis">${y.slice(2)}</text>`);return n`<figure class="card chart">
      <figcaption>${t} (${i})</figcaption>
      <svg viewBox="0 0 ${m} ${u}" role="img" aria-label=${t}>
        <line x1=${h} x2=${m} y1=${u-f} y2=${u-f} class="grid" />
        <text x=${h-6} y="14" text-anchor="end" class="axis">${l.toFixed(l<10?1:0)}</text>
        <text x=${h-6} y=${u-f} text-anchor="end" class="axis">0</text>
        ${Yt} ${Zt}
      </svg>
      <div class="legend">
        ${d.map((y,x)=>n`<span><i style="background:${st[x%st.length]}"></i>${y}</span>`)}
      </div>
    </figure>`}table(t,e,s){return n`<section class="card table-wrap">
      <h2>${t}</h2>
      <table>
        <thead>
          <tr>
            <th>${a("col_month")}</th>
            <th>${a("col_tag")} / ${a("col_wallbox")}</th>
            <th class="num">${a("col_sessions")}</th>
            <th class="num">${a("col_energy")}</th>
            <th class="num">${a("col_charging")}</th>
            <th class="num">${a("col_cost")}</th>
          </tr>
        </thead>
        <tbody>
          ${e.map(i=>n`<tr>
              <td>${i.month}</td>
              <td>${s(i)}</td>
              <td class="num">${i.sessions}</td>
              <td class="num">${C(this.hass,i.energy_wh)}</td>
              <td class="num">${E(i.charging_s)}</td>
              <td class="num">${S(this.hass,i.cost,i.currency)}</td>
            </tr>`)}
        </tbody>
      </table>
    </section>`}render(){let t=this.totals;return n`
      <ev-filter-bar .info=${this.info} from=${this.from} @filters-changed=${this.filtersChanged}>
        <button class="secondary download" @click=${this.download}>${a("download_csv")}</button>
      </ev-filter-bar>
      ${this.error?n`<p class="error">${a("error",{message:this.error})}</p>`:c}
      ${t===void 0?n`<p class="muted">${a("loading")}</p>`:t.by_tag.length===0?n`<p class="muted">${a("reports_empty")}</p>`:n`<div class="charts">
                ${this.chart(`${a("reports_chart")} · ${a("reports_energy")}`,t.by_tag,e=>e.energy_wh/1e3,"kWh")}
                ${this.chart(`${a("reports_chart")} · ${a("reports_cost")}`,t.by_tag,e=>e.cost??0,t.by_tag.find(e=>e.currency)?.currency??this.info.currency)}
              </div>
              ${this.table(a("reports_by_tag"),t.by_tag,e=>this.tagLabel(e))}
              ${this.table(a("reports_by_wallbox"),t.by_charger,e=>e.charger_name)}`}
    `}static{this.styles=[v,$`
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(300px, 1fr));
        gap: 16px;
        margin-bottom: 16px;
      }
      figure {
        margin: 0;
      }
      figcaption {
        font-weight: 500;
        margin-bottom: 8px;
      }
      svg {
        width: 100%;
        height: auto;
      }
      .axis {
        font-size: 11px;
        fill: var(--secondary-text-color);
      }
      .grid {
        stroke: var(--divider-color, #ccc);
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 12px;
        font-size: 0.85em;
      }
      .legend i {
        display: inline-block;
        width: 10px;
        height: 10px;
        border-radius: 2px;
        margin-right: 4px;
      }
      section + section {
        margin-top: 16px;
      }
    `]}};customElements.define("ev-reports-view",vt);var Bt={invalid_tag:"err_invalid_tag",duplicate_tag:"err_duplicate_tag",unauthorized:"err_unauthorized",not_found:"err_not_found"};function qt(r){let t=r&&typeof r=="object"&&"code"in r?String(r.code):"";return t in Bt?a(Bt[t]):a("error",{message:b(r)})}var wt=class extends g{static{this.properties={hass:{attribute:!1},info:{attribute:!1},tags:{state:!0},attempts:{state:!0},editing:{state:!0},error:{state:!0}}}connectedCallback(){super.connectedCallback(),this.info.admin&&this.load()}async load(){try{let[t,e]=await Promise.all([this.hass.callWS({type:"ev_session_monitor/tags"}),this.hass.callWS({type:"ev_session_monitor/attempts"})]);this.tags=t.tags,this.attempts=e.attempts}catch(t){this.error=qt(t)}}async run(t){this.error=void 0;try{await this.hass.callWS(t)}catch(e){return this.error=qt(e),!1}return await this.load(),this.dispatchEvent(new CustomEvent("tags-changed",{bubbles:!0,composed:!0})),!0}async save(t){t.preventDefault();let e=new FormData(t.target),s=String(e.get("price_per_kwh")??"").trim(),i=this.editing==="new",o={type:i?"ev_session_monitor/tags/add":"ev_session_monitor/tags/update",tag_id:i?String(e.get("tag_id")??""):this.editing.tag_id,name:String(e.get("name")??""),owner:String(e.get("owner")??"")||null,price_per_kwh:s===""?null:Number(s.replace(",",".")),chargers:e.getAll("chargers").map(String),person:String(e.get("person")??"")||null};await this.run(o)&&(this.editing=void 0)}async removeTag(t){confirm(a("cards_confirm_remove",{name:t.name}))&&await this.run({type:"ev_session_monitor/tags/remove",tag_id:t.tag_id})}form(t){return n`<form class="card edit" @submit=${this.save}>
      ${t?n`<h2>${t.name} <span class="muted">${t.tag_id}</span></h2>`:n`<label>${a("cards_id")}<input name="tag_id" required autocomplete="off" /></label>`}
      <label>${a("cards_name")}<input name="name" required .value=${t?.name??""} /></label>
      <label>${a("cards_owner")}<input name="owner" .value=${t?.owner??""} /></label>
      <label
        >${a("cards_price_field",{currency:this.info.currency})}
        <input name="price_per_kwh" inputmode="decimal" .value=${t?.price_per_kwh?.toString()??""} />
      </label>
      <fieldset>
        <legend>${a("cards_wallboxes")}</legend>
        ${this.info.wallboxes.map(e=>n`<label class="check"
            ><input
              type="checkbox"
              name="chargers"
              value=${e.charger_id}
              .checked=${t?.chargers.includes(e.charger_id)??!1}
            />${e.title}</label
          >`)}
      </fieldset>
      <label
        >${a("cards_person")}
        <select name="person">
          <option value="">${a("cards_none")}</option>
          ${this.info.persons.map(e=>n`<option value=${e.entity_id} ?selected=${t?.person===e.entity_id}>
              ${e.name}
            </option>`)}
        </select>
      </label>
      <div class="actions">
        <button type="submit">${a("cards_save")}</button>
        <button type="button" class="secondary" @click=${()=>this.editing=void 0}>
          ${a("cards_cancel")}
        </button>
      </div>
    </form>`}person(t){return this.info.persons.find(e=>e.entity_id===t)?.name??"—"}knownCards(t){return n`<section class="card table-wrap">
      <div class="actions head">
        <h2>${a("cards_known")}</h2>
        <button class="add" @click=${()=>this.editing="new"}>${a("cards_add")}</button>
      </div>
      ${t.length===0?n`<p class="muted">${a("cards_empty")}</p>`:n`<table>
            <thead>
              <tr>
                <th>${a("cards_name")}</th>
                <th>${a("cards_id")}</th>
                <th>${a("cards_owner")}</th>
                <th>${a("filter_person")}</th>
                <th class="num">${a("cards_price")}</th>
                <th>${a("filter_wallbox")}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${t.map(e=>n`<tr data-tag=${e.tag_id}>
                  <td class="name" data-label=${a("cards_name")}>${e.name}</td>
                  <td data-label=${a("cards_id")}>${e.tag_id}</td>
                  <td data-label=${a("cards_owner")}>${e.owner??"—"}</td>
                  <td data-label=${a("filter_person")}>${this.person(e.person)}</td>
                  <td class="num" data-label=${a("cards_price")}>${S(this.hass,e.price_per_kwh,this.info.currency)}</td>
                  <td data-label=${a("filter_wallbox")}>
                    ${e.chargers.length?e.chargers.map(s=>this.info.wallboxes.find(i=>i.charger_id===s)?.title??s).join(", "):a("all_wallboxes")}
                  </td>
                  <td class="actions">
                    <button class="secondary edit" @click=${()=>this.editing=e}>
                      ${a("cards_edit")}
                    </button>
                    <button class="danger remove" @click=${()=>this.removeTag(e)}>
                      ${a("cards_remove")}
                    </button>
                  </td>
                </tr>`)}
            </tbody>
          </table>`}
    </section>`}attemptLog(t){return n`<section class="card table-wrap">
      <h2>${a("cards_attempts")}</h2>
      ${t.length===0?n`<p class="muted">${a("cards_attempts_empty")}</p>`:n`<table>
            <thead>
              <tr>
                <th>${a("cards_time")}</th>
                <th>${a("col_wallbox")}</th>
                <th>${a("cards_id")}</th>
                <th class="num">${a("cards_attempt_count")}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${t.map(e=>n`<tr data-attempt=${e.tag_id??""}>
                  <td data-label=${a("cards_time")}>${w(this.hass,e.time)}</td>
                  <td data-label=${a("col_wallbox")}>${e.charger??"—"}</td>
                  <td data-label=${a("cards_id")}>${e.tag_id??"—"}</td>
                  <td class="num" data-label=${a("cards_attempt_count")}>${e.attempts??"—"}</td>
                  <td>
                    ${e.known?n`<span class="muted">${a("cards_admitted")}</span>`:e.tag_id?.startsWith("sha256:")?n`<span class="muted">${a("cards_pseudonym")}</span>`:n`<button
                            class="admit"
                            @click=${()=>this.run({type:"ev_session_monitor/attempts/admit",tag_id:e.tag_id})}
                          >
                            ${a("cards_admit")}
                          </button>`}
                  </td>
                </tr>`)}
            </tbody>
          </table>`}
    </section>`}render(){return this.info.admin?n`
      ${this.error?n`<p class="error">${this.error}</p>`:c}
      ${this.editing!==void 0?this.form(this.editing==="new"?void 0:this.editing):c}
      ${this.tags===void 0||this.attempts===void 0?n`<p class="muted">${a("loading")}</p>`:n`${this.knownCards(this.tags)} ${this.attemptLog(this.attempts)}`}
    `:n`<p class="muted">${a("cards_admin_only")}</p>`}static{this.styles=[v,$`
      section + section,
      form + section {
        margin-top: 16px;
      }
      .head {
        justify-content: space-between;
      }
      .head h2 {
        margin: 0;
      }
      form.edit {
        display: grid;
        gap: 12px;
        max-width: 480px;
      }
      fieldset {
        border: 1px solid var(--divider-color, #ccc);
        border-radius: 6px;
        display: flex;
        flex-wrap: wrap;
        gap: 8px 16px;
      }
      legend {
        font-size: 0.85em;
        color: var(--secondary-text-color);
      }
      label.check {
        flex-direction: row;
        align-items: center;
        color: var(--primary-text-color);
        font-size: 1em;
      }
      label.check input {
        min-height: 0;
      }
      /* On a phone each row becomes a block of labelled lines, so its buttons stay on screen. */
      @media (max-width: 600px) {
        table,
        tbody,
        tr,
        td {
          display: block;
        }
        thead {
          display: none;
        }
        tr {
          padding: 8px 0;
          border-bottom: 1px solid var(--divider-color, #e0e0e0);
        }
        td,
        td.num {
          border: none;
          padding: 2px 0;
          white-space: normal;
          overflow-wrap: anywhere;
          text-align: left;
        }
        td[data-label]::before {
          content: attr(data-label) ": ";
          color: var(--secondary-text-color);
        }
      }
    `]}};customElements.define("ev-cards-view",wt);var Vt=["now","sessions","reports","cards"],xt=class extends g{constructor(){super();this.loading=!1;this.narrow=!1;let e=new URLSearchParams(location.search).get("view");this.tab=e&&Vt.includes(e)?e:"now"}static{this.properties={hass:{attribute:!1},narrow:{type:Boolean},tab:{state:!0},info:{state:!0},error:{state:!0}}}willUpdate(){this.hass&&!this.info&&!this.loading&&this.loadInfo()}async loadInfo(){this.loading=!0;try{this.info=await this.hass.callWS({type:"ev_session_monitor/info"}),this.error=void 0}catch(e){this.error=b(e)}finally{this.loading=!1}}select(e){this.tab=e;let s=new URL(location.href);s.searchParams.set("view",e),history.replaceState(null,"",s)}toggleMenu(){this.dispatchEvent(new CustomEvent("hass-toggle-menu",{bubbles:!0,composed:!0}))}view(){let e=this.info;if(!e)return c;switch(this.tab){case"sessions":return n`<ev-sessions-view .hass=${this.hass} .info=${e}></ev-sessions-view>`;case"reports":return n`<ev-reports-view .hass=${this.hass} .info=${e}></ev-reports-view>`;case"cards":return n`<ev-cards-view
          .hass=${this.hass}
          .info=${e}
          @tags-changed=${()=>this.loadInfo()}
        ></ev-cards-view>`;default:return n`<ev-now-view .hass=${this.hass} ?admin=${e.admin}></ev-now-view>`}}render(){return n`
      <header class="toolbar">
        ${this.narrow?n`<button class="menu" aria-label=${a("menu")} @click=${this.toggleMenu}>☰</button>`:c}
        <h1>${a("title")}</h1>
      </header>
      <nav role="tablist">
        ${Vt.map(e=>n`<button
            role="tab"
            class="tab ${e===this.tab?"active":""}"
            data-tab=${e}
            aria-selected=${e===this.tab}
            @click=${()=>this.select(e)}
          >
            ${a(`tab_${e}`)}
          </button>`)}
      </nav>
      <main>
        ${this.error?n`<p class="error">${a("error",{message:this.error})}</p>`:c}
        ${this.info?this.view():n`<p class="muted">${a("loading")}</p>`}
      </main>
    `}static{this.styles=[v,$`
      :host {
        background: var(--primary-background-color);
        min-height: 100vh;
      }
      .toolbar {
        display: flex;
        align-items: center;
        gap: 8px;
        height: var(--header-height, 56px);
        padding: 0 16px;
        background: var(--app-header-background-color, var(--primary-color));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        box-sizing: border-box;
      }
      h1 {
        font-size: 20px;
        font-weight: 400;
        margin: 0;
      }
      .menu {
        background: none;
        color: inherit;
        font-size: 22px;
        padding: 4px 8px;
      }
      nav {
        display: flex;
        overflow-x: auto;
        background: var(--app-header-background-color, var(--primary-color));
        padding: 0 8px;
      }
      .tab {
        background: none;
        border-radius: 0;
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        opacity: 0.75;
        border-bottom: 2px solid transparent;
        padding: 10px 16px;
      }
      .tab.active {
        opacity: 1;
        border-bottom-color: currentColor;
      }
      main {
        padding: 16px;
        max-width: 1200px;
        margin: 0 auto;
        box-sizing: border-box;
      }
      @media (max-width: 600px) {
        main {
          padding: 8px;
        }
        .tab {
          padding: 10px;
          flex: 1;
        }
      }
    `]}};customElements.define("ev-session-monitor-panel",xt);export{xt as EvSessionMonitorPanel};
/*! Bundled license information:

@lit/reactive-element/css-tag.js:
  (**
   * @license
   * Copyright 2019 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

@lit/reactive-element/reactive-element.js:
lit-html/lit-html.js:
lit-element/lit-element.js:
  (**
   * @license
   * Copyright 2017 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/is-server.js:
  (**
   * @license
   * Copyright 2022 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)
*/
